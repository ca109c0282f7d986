// Sync Status against real volumes (its data comes from the CLI in a child process): what is pending since
// the last sync, the drill-down to the files, the actions (sync one target through the worker, stop it,
// preview its moves, open its log, show it in Finder), an interrupted worker, and the targets a safety
// guard refused (from files shaped exactly as the worker writes them).
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { screen, waitFor, within } from "@testing-library/react";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/commands/lib/preferences";
import { reportEnd } from "../../src/commands/lib/sync";
import StatusCommand from "../../src/status";
import { __raycast, environment } from "../mocks/raycast-api";
import { act, actionsOf, findItem, renderCommand, settled, useUiFixture, waitForToast } from "./support/fixture";
import { failedReport, finishedState, uploadingState, writeState } from "./support/worker-files";

const fx = useUiFixture();

const started = () =>
  readFileSync(path.join(environment.supportPath, "sync-worker.log"), "utf8")
    .split("\n")
    .filter((l) => l.includes(" started: "))
    .map((l) => l.replace(/^.* started: /, ""));

describe("Sync Status", () => {
  it("shows each target's pending changes and acts on them", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("photos");
    v.file("keep.jpg", 1000);
    v.file("edit.jpg", 1000);
    v.file("drop.jpg", 1000);
    v.file("old/name.jpg", 5000);
    await fx.sync(v, bucket, "Photos");
    v.file("new.jpg", 2000);
    await new Promise((r) => setTimeout(r, 1100));
    v.file("edit.jpg", 1500, "edited");
    v.remove("drop.jpg");
    v.rename("old/name.jpg", "renamed/name.jpg");
    fx.writeConfig([
      fx.line(v, bucket, "name=Photos"),
      fx.line("/Volumes/Archive Disk", `${bucket}-x`, "name=Archive"),
    ]);

    renderCommand(<StatusCommand />);
    await settled();
    expect(document.querySelector("[data-list]")!.getAttribute("data-navigation-title")).toBeNull();
    const photos = await findItem("Photos");
    expect(photos.textContent).toContain("1 new · 1 modified · 1 deleted · 1 moved");
    expect(photos.textContent).toContain("Synced");
    expect(photos.textContent).toContain("0 B saved");
    // The last sync as a date accessory (Raycast shows it relative).
    expect(Array.from(photos.querySelectorAll("[data-accessory]")).some((a) => /^\d{4}-/.test(a.textContent!))).toBe(
      true,
    );
    expect(actionsOf(photos)).toEqual([
      "Show Pending Files",
      "Sync This Target [cmd+opt+s]",
      "Preview Moves [cmd+opt+p]",
      "Open Log [cmd+l]",
      "Show in Finder [cmd+o]",
      "Copy S3 URI [cmd+shift+c]",
      "Refresh [cmd+r]",
    ]);
    const archive = await findItem("Archive");
    expect(archive.textContent).toContain("Not Mounted");
    expect(actionsOf(archive)[0]).toBe("Sync This Target [cmd+opt+s]");

    act(photos, "Show in Finder");
    expect(__raycast.finder).toEqual([v.root]);
    act(photos, "Open Log");
    expect(__raycast.opened[0]!.target).toMatch(new RegExp(`^${v.root}/logs/s3-sync-sync-.*\\.log$`));

    act(photos, "Show Pending Files");
    const moved = await screen.findByRole("region", { name: "Moved" });
    expect(within(moved).getByRole("listitem").textContent).toContain("renamed/name.jpg");
    expect(within(moved).getByRole("listitem").textContent).toContain("from old/name.jpg");
    expect(
      within(screen.getByRole("region", { name: "New" }))
        .getByRole("listitem")
        .getAttribute("aria-label"),
    ).toBe("new.jpg");
    const deleted = within(screen.getByRole("region", { name: "Deleted" })).getByRole("listitem");
    expect(deleted.getAttribute("aria-label")).toBe("drop.jpg");
    expect(actionsOf(within(screen.getByRole("region", { name: "Modified" })).getByRole("listitem"))).toEqual([
      "Show in Finder",
      "Copy Path [cmd+shift+,]",
    ]);
  });

  it("previews one target's moves", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("music");
    v.file("a/song.mp3", 40_000);
    v.file("b/other.mp3", 40_000);
    await fx.sync(v, bucket, "Music");
    v.rename("a/song.mp3", "c/song.mp3");
    fx.writeConfig([fx.line(v, bucket, "name=Music")]);

    renderCommand(<StatusCommand />);
    await settled();
    act(await findItem("Music"), "Preview Moves");
    const move = await findItem("song.mp3");
    expect(move.textContent).toContain("a/song.mp3 → c/song.mp3");
  });

  it("Sync This Target runs the worker and reports in a toast", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("music");
    v.file("a/song.mp3", 40_000);
    await fx.sync(v, bucket, "Music");
    v.rename("a/song.mp3", "c/song.mp3");
    v.file("fresh.mp3", 10);
    fx.writeConfig([fx.line(v, bucket, "name=Music")]);

    renderCommand(<StatusCommand />);
    await settled();
    expect((await findItem("Music")).textContent).toContain("1 new · 1 moved");
    act(await findItem("Music"), "Sync This Target");
    const done = await waitForToast("Sync Finished", 60_000);
    expect(done.message).toBe("1 target synced · 1 move · 40.0 KB not uploaded · 1 file uploaded (10 B)");
    expect(__raycast.toasts.find((t) => t.title === "Syncing Music")).toBeTruthy();
    expect(started()[0]).toContain("--target Music --keep-awake");
    await fx.client().send(new HeadObjectCommand({ Bucket: bucket, Key: "c/song.mp3" }));
    await fx.client().send(new HeadObjectCommand({ Bucket: bucket, Key: "fresh.mp3" }));
    await waitFor(async () => expect((await findItem("Music")).textContent).toContain("Up to date"), {
      timeout: 20_000,
    });
  });

  it("shows an interrupted worker and syncs again from it", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("after");
    v.file("a.txt", 100);
    fx.writeConfig([fx.line(v, bucket, "name=After")]);
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    writeState(uploadingState(999_999, "After", old, { only: ["After"] }));
    renderCommand(<StatusCommand />);
    await settled();
    const item = await findItem("Last Sync Was Interrupted");
    expect(item.textContent).toContain("After · uploading 35% of 3.4 GB");
    expect(actionsOf(item)[0]).toBe("Sync Again");
    act(item, "Sync Again");
    await waitForToast("Sync Finished", 60_000);
    expect(started()[0]).toContain("--target After");
  });

  it("marks refused targets; a refused deletion is confirmed with its count and runs with --allow-deletes", async () => {
    const v = fx.volume("vault");
    const p = fx.volume("photos");
    fx.writeConfig([fx.line(v, "vault-bucket", "name=Vault"), fx.line(p, "photo-bucket", "name=Photos")]);
    const deletes = { count: 12_400, objects: 13_000, limit: 1_000 };
    const refusedDeletes = {
      code: "DELETES_REFUSED",
      message: "The sync would delete 12,400 of 13,000 objects in s3://vault-bucket/.",
      hint: "Check the volume, then confirm.",
    };
    const refusedVolume = {
      code: "VOLUME_REFUSED",
      message: `${p.root} is not the volume this target was synced from.`,
      hint: "Mount the right volume, or edit the target.",
    };
    const at = new Date().toISOString();
    mkdirSync(environment.supportPath, { recursive: true });
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
    __raycast.confirmAlertResponse = false;

    renderCommand(<StatusCommand />);
    await settled();
    const vault = await findItem("Vault");
    expect(vault.textContent).toContain("Refused");
    expect(actionsOf(vault)[0]).toBe("Review Deletes and Sync");
    const photos = await findItem("Photos");
    const tag = Array.from(photos.querySelectorAll("[data-accessory]")).find((a) => a.textContent === "Refused")!;
    expect(tag.getAttribute("title")).toBe(`${refusedVolume.message} ${refusedVolume.hint}`);
    expect(actionsOf(photos)).not.toContain("Review Deletes and Sync");

    act(vault, "Review Deletes and Sync");
    await waitFor(() => expect(__raycast.alerts).toHaveLength(1));
    expect(__raycast.alerts[0]).toMatchObject({
      title: "Delete 12,400 Objects in s3://vault-bucket/?",
      primaryAction: { title: "Delete and Sync", style: "destructive" },
    });
    expect(__raycast.alerts[0]!.message).toContain("12,400 objects of 13,000");
    expect(() => started()).toThrow(); // declined: no worker, no log

    __raycast.confirmAlertResponse = true;
    act(vault, "Review Deletes and Sync");
    await waitFor(() => expect(started()).toHaveLength(1), { timeout: 10_000 });
    expect(started()[0]).toContain("--target Vault --allow-deletes");
  });

  it("asks to confirm a refused deletion when the menu bar opens it for that", async () => {
    const v = fx.volume("vault");
    fx.writeConfig([fx.line(v, "vault-bucket", "name=Vault")]);
    const at = new Date().toISOString();
    mkdirSync(environment.supportPath, { recursive: true });
    writeFileSync(
      path.join(environment.supportPath, "last-results.json"),
      JSON.stringify({
        Vault: {
          target: "Vault",
          localPath: v.root,
          at,
          status: "failed",
          error: { code: "DELETES_REFUSED", message: "Too many deletes." },
          deletes: { count: 2_000, objects: 2_100, limit: 500 },
        },
      }),
    );
    __raycast.confirmAlertResponse = false;
    renderCommand(<StatusCommand launchContext={{ confirmDeletes: "Vault" }} />);
    await waitFor(
      () => expect(__raycast.alerts.map((a) => a.title)).toEqual(["Delete 2,000 Objects in s3://vault-bucket/?"]),
      { timeout: 20_000 },
    );
  });

  it("reports the end of a followed sync: a refused volume fails with its message and hint, without Retry", async () => {
    const v = fx.volume("vault");
    fx.writeConfig([fx.line(v, "vault-bucket", "name=Vault")]);
    const error = {
      code: "VOLUME_REFUSED",
      message: `${v.root} is empty while its bucket is not.`,
      hint: "Mount the volume that holds the files, then sync again.",
    };
    const state = finishedState([failedReport("Vault", v.root, "vault-bucket", error)]);
    await reportEnd(readSettings(), state, async () => undefined);
    const failure = __raycast.toasts.at(-1)!;
    expect(failure.title).toBe("Sync Refused: Vault");
    expect(failure.message).toBe(`${error.message} ${error.hint}`);
    expect([failure.primaryAction?.title, failure.secondaryAction?.title]).toEqual(["Open Log", "Open Config"]);
  });

  it("offers Create Config when there is no config file", async () => {
    renderCommand(<StatusCommand />);
    await settled();
    const empty = await screen.findByText("No Config File");
    act(empty.parentElement!, "Create Config");
    await waitForToast("Config Created");
    expect(readFileSync(fx.configFile(), "utf8")).toMatch(/^# S3 Smart Sync configuration/);
    expect(await screen.findByText("No Targets")).toBeTruthy();
  });
});
