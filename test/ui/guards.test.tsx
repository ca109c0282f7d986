// The safety guards as the user meets them: how many objects a sync would delete (Preview Moves, Sync
// Status, the menu bar), and a run refused for deleting too much (the hotkey's HUD, Sync Status's
// confirmation, which runs the target again with --allow-deletes). The engine reports these once the guards
// land (`report.deletes`, error codes DELETES_REFUSED and VOLUME_REFUSED); until then no real run does, so
// the commands run a stand-in for the CLI bundle here that prints reports and writes state files shaped
// exactly as the real one will.
import { screen, waitFor, within } from "@testing-library/react";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readSettings } from "../../src/commands/lib/preferences";
import { syncFromHotkey } from "../../src/commands/lib/sync";
import MenuBarCommand from "../../src/menu-bar";
import PreviewMovesCommand from "../../src/preview-moves";
import StatusCommand from "../../src/status";
import { __raycast, environment } from "../mocks/raycast-api";
import { __resetCache } from "../mocks/raycast-utils";
import { act, findItem, menuItem, renderCommand, settled, useUiFixture, waitForToast } from "./support/fixture";

const fx = useUiFixture();
const realAssets = environment.assetsPath;
let assets = "";

/**
 * A stand-in worker.mjs: for `status` and `preview` it prints `lines[command]` (one JSON object per line);
 * for `batch` it writes a finished state file with `batch` (or, given --allow-deletes, `allowed`) as its
 * reports, as the worker does.
 */
function stubCli(lines: Record<string, object[]>, runs: { batch?: object[]; allowed?: object[] } = {}): void {
  const script = `import { writeFileSync } from "node:fs";
const lines = ${JSON.stringify(lines)};
const runs = ${JSON.stringify(runs)};
const args = process.argv.slice(2);
if (args[0] === "batch") {
  const now = new Date().toISOString();
  const allowed = args.includes("--allow-deletes");
  writeFileSync(args[args.indexOf("--state-file") + 1], JSON.stringify({
    pid: process.pid, workerStartedAt: now, startedAt: now, updatedAt: now, heartbeatAt: now, finishedAt: now,
    phase: "done", progress: "Done", done: true, reports: (allowed ? runs.allowed : runs.batch) ?? [],
    uploaded: {}, unchanged: [], exitCode: allowed ? 0 : 3,
  }));
} else {
  for (const line of lines[args[0]] ?? []) process.stdout.write(JSON.stringify(line) + "\\n");
}`;
  writeFileSync(path.join(assets, "worker.mjs"), script);
}

function report(localPath: string, over: object = {}) {
  return {
    target: "Vault",
    localPath,
    bucket: "vault-bucket",
    prefix: "",
    command: "sync",
    dryRun: false,
    status: "ok",
    notices: [],
    moves: { done: 0, failed: 0, skipped: 0, pendingRestore: 0, list: [] },
    bytesSaved: 0,
    counts: { new: 0, modified: 0, deleted: 0, unchanged: 3 },
    startedAt: new Date().toISOString(),
    durationMs: 5,
    ...over,
  };
}

const refused = (localPath: string) =>
  report(localPath, {
    status: "failed",
    error: {
      code: "DELETES_REFUSED",
      message: "The sync would delete 12,400 of 13,000 objects in s3://vault-bucket/.",
      hint: "Check the volume, then confirm.",
    },
    deletes: { count: 12_400, objects: 13_000, limit: 1_000 },
  });

const started = () =>
  readFileSync(path.join(environment.supportPath, "sync-worker.log"), "utf8")
    .split("\n")
    .filter((l) => l.includes(" started: "))
    .map((l) => l.replace(/^.* started: /, ""));

beforeEach(() => {
  assets = mkdtempSync(path.join(tmpdir(), "s3ss-assets-"));
  environment.assetsPath = assets;
});
afterEach(() => {
  environment.assetsPath = realAssets;
  rmSync(assets, { recursive: true, force: true });
});

describe("the safety guards", () => {
  it("the delete count shows in Preview Moves, then in Sync Status and the menu bar", async () => {
    const v = fx.volume("vault");
    mkdirSync(v.abs("x"));
    fx.writeConfig([fx.line(v, "vault-bucket", "name=Vault")]);
    const at = new Date().toISOString();
    const report = {
      target: "Vault",
      localPath: v.root,
      bucket: "vault-bucket",
      prefix: "",
      command: "moves",
      dryRun: true,
      status: "ok",
      notices: [],
      moves: {
        done: 0,
        failed: 0,
        skipped: 0,
        pendingRestore: 0,
        list: [
          {
            from: "a.flac",
            to: "x/a.flac",
            fromKey: "a.flac",
            toKey: "x/a.flac",
            size: 10,
            status: "planned",
            group: 0,
          },
        ],
      },
      bytesSaved: 10,
      counts: { new: 0, modified: 0, deleted: 12_400, unchanged: 3 },
      deletes: { count: 12_400, objects: 13_000, limit: 1_000 },
      startedAt: at,
      durationMs: 5,
      listTotal: 1,
      lastRun: { at, command: "sync", status: "ok", moves: 0, bytesSaved: 0, uploads: 0, deletes: 0 },
    };
    const statusLine = {
      target: "Vault",
      localPath: v.root,
      bucket: "vault-bucket",
      prefix: "",
      mounted: true,
      recorded: { bucket: "vault-bucket", prefix: "" },
      lastRun: report.lastRun,
      bytesSavedTotal: 0,
      // Files deleted on the volume; the objects aws deletes are more (the dry run's count wins).
      counts: { new: 0, modified: 0, deleted: 3, moved: 1, unchanged: 3, restores: 0 },
      bytesToMove: 10,
      files: { new: [], modified: [], deleted: ["gone.flac"], moved: [{ from: "a.flac", to: "x/a.flac" }] },
      pendingRestores: [],
      notices: [],
    };
    stubCli({ preview: [report], status: [statusLine] });

    const preview = renderCommand(<PreviewMovesCommand />);
    await findItem("a.flac");
    await settled();
    const section = screen.getByRole("region", { name: "Vault" });
    expect(within(section).getByText(/the sync would delete/).textContent).toBe(
      "s3://vault-bucket/ · 1 move · the sync would delete 12,400 objects",
    );
    preview.unmount();

    __resetCache();
    const status = renderCommand(<StatusCommand />);
    await settled();
    const vault = await findItem("Vault");
    expect(vault.textContent).toContain("3 deleted · 1 moved");
    const trash = Array.from(vault.querySelectorAll("[data-accessory]")).find((a) => a.textContent === "12,400")!;
    expect(trash.getAttribute("title")).toBe("The next sync deletes 12,400 objects in S3");
    status.unmount();

    __resetCache();
    renderCommand(<MenuBarCommand />);
    await waitFor(() => expect(menuItem("Pending: 1 move · 12,400 deletes")).toBeTruthy(), { timeout: 10_000 });
  });

  it("a refused deletion: the hotkey says so; Sync Status asks with the count and runs the target with --allow-deletes", async () => {
    const v = fx.volume("vault");
    fx.writeConfig([fx.line(v, "vault-bucket", "name=Vault")]);
    stubCli({}, { batch: [refused(v.root)], allowed: [report(v.root)] });

    await syncFromHotkey(readSettings(), { quickSeconds: 60 });
    expect(__raycast.huds).toEqual([
      "Syncing All Targets · Progress in the Menu Bar",
      "Sync Refused: Vault · The sync would delete 12,400 of 13,000 objects in s3://vault-bucket/. · Review in Sync Status",
    ]);

    // Sync This Target in Sync Status runs into the same refusal, asks, and runs again once confirmed.
    stubCli({ status: [] }, { batch: [refused(v.root)], allowed: [report(v.root)] });
    renderCommand(<StatusCommand />);
    await settled();
    act(await findItem("Vault"), "Sync This Target");
    await waitForToast("Sync Finished", 30_000);
    expect(__raycast.alerts.map((a) => a.title)).toEqual(["Delete 12,400 Objects in s3://vault-bucket/?"]);
    expect(started().at(-1)).toContain("--target Vault --allow-deletes");
    expect(started().filter((l) => l.includes("--allow-deletes"))).toHaveLength(1);
  });
});
