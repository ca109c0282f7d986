// The menu bar in each of its states, rendered from the real worker's state file and the real engine's
// results (the refusals of the safety guards from files shaped exactly as the worker writes them): all
// synced, changes pending, a sync running with its progress (and Stop Sync), the last run failed or refused,
// the scheduled sync's failure.
import { screen, waitFor, within } from "@testing-library/react";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SyncState } from "../../src/cli/state-file";
import { readSettings } from "../../src/commands/lib/preferences";
import { startWorker, waitForSync } from "../../src/commands/lib/worker";
import { fetchStatus } from "../../src/commands/status/fetch";
import MenuBarCommand from "../../src/menu-bar";
import { __raycast, environment } from "../mocks/raycast-api";
import { __resetCache } from "../mocks/raycast-utils";
import { menuItem, renderCommand, useUiFixture } from "./support/fixture";
import { failedReport, finishedState, stateFile, writeState } from "./support/worker-files";

const fx = useUiFixture();

const readState = () => JSON.parse(readFileSync(stateFile(), "utf8")) as SyncState;
const extra = () => document.querySelector("[data-menubar]") as HTMLElement;

async function renderMenuBar() {
  __resetCache();
  const view = renderCommand(<MenuBarCommand />);
  await waitFor(() => expect(extra().getAttribute("data-loading")).toBe("false"), { timeout: 10_000 });
  return view;
}

async function syncWithWorker(only?: string[]): Promise<SyncState> {
  const pid = startWorker(readSettings(), { only });
  return (await waitForSync(pid))!;
}

describe("Sync Menu Bar", () => {
  it("shows all synced, then changes pending, each target with its last sync and what is pending", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("music");
    v.file("a/song.mp3", 40_000);
    v.file("b/other.mp3", 1_000);
    fx.writeConfig([fx.line(v, bucket, "name=Music"), fx.line("/Volumes/Away", `${bucket}-x`, "name=Away")]);
    const state = await syncWithWorker(["Music"]);
    expect(state.reports.map((r) => r.status)).toEqual(["ok"]);

    const first = await renderMenuBar();
    expect(extra().getAttribute("data-icon")).toBe("CheckCircle");
    expect(extra().getAttribute("data-tooltip")).toBe("S3 Smart Sync: all synced");
    const music = screen.getByRole("menu", { name: "Music" });
    expect(menuItem("Last Sync: Synced", music).textContent).toContain("just now");
    expect(menuItem("Sync Now", music)).toBeTruthy();
    expect(screen.getByRole("menu", { name: "Away (Not Mounted)" })).toBeTruthy();
    const last = screen.getByRole("group", { name: /^Last Sync/ });
    expect(menuItem("Sync Finished", last).textContent).toContain(
      "1 target synced · 0 moves · 0 B not uploaded · 2 files uploaded (41.0 KB)",
    );
    first.unmount();

    // A rename: Status (a child process) finds it; the menu bar shows it without scanning anything itself.
    v.rename("a/song.mp3", "c/song.mp3");
    await new Promise((r) => setTimeout(r, 20));
    await fetchStatus(readSettings());
    await renderMenuBar();
    expect(extra().getAttribute("data-icon")).toBe("ArrowUpCircle");
    expect(menuItem("Pending: 1 move", screen.getByRole("menu", { name: "Music" }))).toBeTruthy();
    menuItem("Preview Moves", screen.getByRole("menu", { name: "Music" })).click();
    expect(__raycast.launched.at(-1)).toEqual({
      name: "preview-moves",
      type: "userInitiated",
      context: { target: "Music" },
    });
  });

  it("shows a running sync with its progress, and Stop Sync stops the worker", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("big");
    for (let i = 0; i < 400; i++) v.file(`many/${i}.bin`, 30_000);
    fx.writeConfig([fx.line(v, bucket, "name=Big")]);
    const pid = startWorker(readSettings());
    await expect
      .poll(
        () => {
          try {
            const s = readState();
            return s.pid === pid ? s.phase : "none";
          } catch {
            return "none";
          }
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBe("aws");

    await renderMenuBar();
    const syncing = screen.getByRole("group", { name: "Syncing" });
    expect(extra().getAttribute("data-tooltip")).toMatch(/^Big · /);
    expect(extra().getAttribute("data-icon")).toMatch(/^(CircleProgress\d*|ArrowClockwise)$/);
    expect(within(syncing).getAllByRole("menuitem")[0]!.textContent).toMatch(/^Big · /);
    menuItem("Stop Sync", syncing).click();
    const stopped = (await waitForSync(pid, { untilMs: 60_000 }))!;
    expect(stopped).toMatchObject({ done: true, stopped: true, progress: "Stopped" });
    expect(stopped.reports[0]!.error?.code).toBe("ABORTED");
  });

  it("marks targets a safety guard refused, and sends a refused deletion to Sync Status for confirmation", async () => {
    const v = fx.volume("vault");
    const p = fx.volume("photos");
    fx.writeConfig([fx.line(v, "vault-bucket", "name=Vault"), fx.line(p, "photo-bucket", "name=Photos")]);
    const at = new Date(Date.now() - 5 * 60_000).toISOString();
    const deletes = { count: 12_400, objects: 13_000, limit: 1_000 };
    const refusedDeletes = {
      code: "DELETES_REFUSED",
      message: "The sync would delete 12,400 of 13,000 objects in s3://vault-bucket/.",
      hint: "Check the volume, then confirm with --allow-deletes.",
    };
    const refusedVolume = {
      code: "VOLUME_REFUSED",
      message: `${p.root} is not the volume this target was synced from.`,
      hint: "Mount the right volume, or edit the target.",
    };
    // As the worker writes them (src/cli/state-file.ts, src/cli/results-file.ts).
    const reports = [
      failedReport("Vault", v.root, "vault-bucket", refusedDeletes, { deletes, startedAt: at }),
      failedReport("Photos", p.root, "photo-bucket", refusedVolume, { startedAt: at }),
    ];
    writeState(finishedState(reports, at));
    writeFileSync(
      path.join(environment.supportPath, "last-results.json"),
      JSON.stringify({
        Vault: {
          target: "Vault",
          localPath: v.root,
          at,
          startedAt: at,
          status: "failed",
          error: refusedDeletes,
          deletes,
        },
        Photos: { target: "Photos", localPath: p.root, at, startedAt: at, status: "failed", error: refusedVolume },
      }),
    );

    await renderMenuBar();
    expect(extra().getAttribute("data-icon")).toBe("Warning:Red");
    const last = screen.getByRole("group", { name: /^Last Sync/ });
    expect(menuItem("Sync Refused: Vault (and 1 more)", last)).toBeTruthy();
    // Refused targets wait for the user: no Retry.
    expect(within(last).queryByRole("menuitem", { name: "Retry" })).toBeNull();
    const vault = screen.getByRole("menu", { name: "Vault" });
    expect(vault.getAttribute("data-icon")).toBe("Warning:Red");
    expect(menuItem("Last Sync: Refused", vault)).toBeTruthy();
    const photos = screen.getByRole("menu", { name: "Photos" });
    expect(menuItem("Last Sync: Refused", photos).getAttribute("title")).toBe(
      `${refusedVolume.message} ${refusedVolume.hint}`,
    );
    expect(within(photos).queryByRole("menuitem", { name: /Deletes/ })).toBeNull();
    menuItem("Review 12,400 Deletes…", vault).click();
    expect(__raycast.launched.at(-1)).toEqual({
      name: "status",
      type: "userInitiated",
      context: { confirmDeletes: "Vault" },
    });
  });

  it("marks a scheduled sync that could not run", async () => {
    fx.writeConfig(["/Volumes/X | Not_A_Bucket"]);
    mkdirSync(environment.supportPath, { recursive: true });
    writeFileSync(
      path.join(environment.supportPath, "schedule-state.json"),
      JSON.stringify({
        checkedAt: new Date().toISOString(),
        started: [],
        skipped: [],
        error: { code: "CONFIG_INVALID", message: "Line 1: bucket name may only contain lowercase letters" },
      }),
    );
    await renderMenuBar();
    expect(extra().getAttribute("data-icon")).toBe("Warning:Red");
    expect(screen.getByRole("group", { name: "Config Has Errors" })).toBeTruthy();
    const scheduled = menuItem(/^Scheduled Sync/);
    expect(scheduled.getAttribute("data-icon")).toBe("Warning:Red");
    expect(scheduled.textContent).toContain("Could not check: Line 1:");
  });

  it("offers Create Config when there is no config", async () => {
    await renderMenuBar();
    const group = screen.getByRole("group", { name: "No Config File" });
    menuItem("Create Config", group).click();
    await waitFor(() => expect(__raycast.launched.at(-1)?.name).toBe("edit-config"));
    expect(readFileSync(fx.configFile(), "utf8")).toMatch(/^# S3 Smart Sync configuration/);
  });
});
