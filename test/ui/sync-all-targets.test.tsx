// Sync All Targets, the hotkey flow: with Raycast's window closed, a HUD says the sync started; the real
// worker (assets/worker.mjs) runs detached; the result comes back as a HUD when it is quick, otherwise as
// the worker's own notification; a failure stays in the menu bar with Retry and Open Log.
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { screen } from "@testing-library/react";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SyncState } from "../../src/cli/state-file";
import { readSettings } from "../../src/commands/lib/preferences";
import { syncFromHotkey } from "../../src/commands/lib/sync";
import { acquireVolumeLock } from "../../src/engine/lock";
import MenuBarCommand from "../../src/menu-bar";
import SyncAllTargets from "../../src/sync-all-targets";
import { __raycast, environment } from "../mocks/raycast-api";
import { menuItem, renderCommand, useUiFixture } from "./support/fixture";
import { stateFile, uploadingState, writeState } from "./support/worker-files";

const fx = useUiFixture();

/**
 * The hotkey flow with a quick-result window long enough for any machine: what a run reports must not
 * depend on how loaded the test machine is. The command's own window (8 s) is tested on its own below.
 */
const hotkey = () => syncFromHotkey(readSettings(), { quickSeconds: 120 });

const readState = () => JSON.parse(readFileSync(stateFile(), "utf8")) as SyncState;
/** The command lines the extension started workers with, from the worker log. */
const started = () =>
  readFileSync(path.join(environment.supportPath, "sync-worker.log"), "utf8")
    .split("\n")
    .filter((l) => l.includes(" started: "))
    .map((l) => l.replace(/^.* started: /, ""));

async function exists(bucket: string, key: string): Promise<boolean> {
  try {
    await fx.client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

describe("Sync All Targets", () => {
  it("says it started, runs the worker, and sums up a quick run in a HUD that counts what aws uploaded", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("vault");
    v.file("Mixes/set.flac", 300_000);
    await fx.sync(v, bucket, "Vault");
    v.rename("Mixes/set.flac", "Mixes/2024/set.flac");
    v.file("Mixes/new.flac", 2_000);
    fx.writeConfig([fx.line(v, bucket, "name=Vault"), fx.line("/Volumes/Offline Disk", `${bucket}-x`, "name=Offline")]);

    await hotkey();

    expect(__raycast.huds).toEqual([
      "Syncing All Targets · Progress in the Menu Bar",
      "1 target synced · 1 move · 300 KB not uploaded · 1 file uploaded (2.0 KB) · Offline not mounted (skipped)",
    ]);
    expect(__raycast.toasts).toEqual([]);
    expect(__raycast.launched.map((l) => `${l.name}:${l.type}`)).toContain("menu-bar:background");
    expect(started()).toHaveLength(1);
    expect(started()[0]).toContain("batch --json --no-progress --state-file");
    expect(started()[0]).toContain("--keep-awake --notify-after 120");
    expect(readState().notification).toBeUndefined(); // quick: the HUD said it, no notification
    expect(await exists(bucket, "Mixes/2024/set.flac")).toBe(true);
    expect(await exists(bucket, "Mixes/set.flac")).toBe(false);
    expect(await exists(bucket, "Mixes/new.flac")).toBe(true);
  });

  it("as a command, waits 8 s for the result: then a HUD, else the worker's notification, never both", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("cmd");
    v.file("a.bin", 1_000);
    fx.writeConfig([fx.line(v, bucket, "name=Cmd")]);

    await SyncAllTargets();

    expect(started()[0]).toContain("--keep-awake --notify-after 8");
    expect(__raycast.huds[0]).toBe("Syncing All Targets · Progress in the Menu Bar");
    const summary = "1 target synced · 0 moves · 0 B not uploaded · 1 file uploaded (1.0 KB)";
    await expect.poll(() => readState().done, { timeout: 60_000 }).toBe(true);
    const state = readState();
    const took = Date.parse(state.finishedAt!) - Date.parse(state.startedAt);
    if (took < 8_000) {
      expect(__raycast.huds).toEqual(["Syncing All Targets · Progress in the Menu Bar", summary]);
      expect(state.notification).toBeUndefined();
    } else {
      await expect.poll(() => readState().notification?.message, { timeout: 30_000 }).toBe(summary);
      expect(__raycast.huds).toHaveLength(1);
    }
  });

  it("leaves a longer run to the worker, which notifies at the end with the summary", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("long");
    v.file("a.bin", 5_000);
    fx.writeConfig([fx.line(v, bucket, "name=Long")]);

    // A run longer than the quick window: here the window is 0 s, so the command returns at once.
    await syncFromHotkey(readSettings(), { quickSeconds: 0 });
    expect(__raycast.huds).toEqual(["Syncing All Targets · Progress in the Menu Bar"]);

    await expect
      .poll(() => readState().notification, { timeout: 60_000 })
      .toEqual({
        title: "Sync Finished",
        message: "1 target synced · 0 moves · 0 B not uploaded · 1 file uploaded (5.0 KB)",
        sent: false, // osascript is macOS only
      });
    expect(__raycast.huds).toHaveLength(1);
  });

  it("reports a failure in a HUD, and the menu bar keeps it with Open Log and Retry", async () => {
    const v = fx.volume("lost");
    v.file("a.txt", 10);
    fx.writeConfig([fx.line(v, "no-such-bucket-here", "name=Lost")]);

    await hotkey();

    expect(__raycast.huds[1]).toMatch(/^Sync Failed: Lost · .*no-such-bucket-here.* · Retry from the Menu Bar$/);
    renderCommand(<MenuBarCommand />);
    const failed = await screen.findByRole("group", { name: /^Last Sync/ });
    expect(menuItem("Sync Failed: Lost", failed)).toBeTruthy();
    expect(document.querySelector("[data-menubar]")!.getAttribute("data-icon")).toBe("Warning:Red");
    menuItem("Open Log", failed).click();
    expect(__raycast.opened[0]!.target).toMatch(new RegExp(`^${v.root}/logs/s3-sync-batch-.*\\.log$`));
    expect(menuItem("Retry", failed)).toBeTruthy();
  });

  it("retries from the menu bar once the volume is free", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("busy");
    v.file("a.txt", 1000);
    fx.writeConfig([fx.line(v, bucket, "name=Busy")]);
    const lock = await acquireVolumeLock(v.root, { command: "test" });

    await hotkey();
    expect(__raycast.huds[1]).toMatch(/^Sync Failed: Busy · Another sync is running on this volume/);
    await lock.release();

    renderCommand(<MenuBarCommand />);
    const last = await screen.findByRole("group", { name: /^Last Sync/ });
    menuItem("Retry", last).click();
    await expect.poll(() => exists(bucket, "a.txt"), { timeout: 60_000 }).toBe(true);
    expect(started()[1]).toContain("--target Busy");
  });

  it("does not start a second sync while one runs", async () => {
    const v = fx.volume("any");
    fx.writeConfig([fx.line(v, "some-bucket")]);
    const now = new Date().toISOString();
    writeState(uploadingState(process.pid, "Vault", now, { phase: "move", progress: "Vault · moving 12/40" }));

    await SyncAllTargets();

    expect(__raycast.huds).toEqual(["A Sync Is Already Running: Vault · moving 12/40"]);
  });

  it("is not blocked by the state of a worker that died (stale heartbeat, or its pid gone)", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("after");
    v.file("a.txt", 100);
    fx.writeConfig([fx.line(v, bucket, "name=After")]);
    const old = new Date(Date.now() - 10 * 60_000).toISOString();
    // This test's own pid is alive, but the heartbeat is ten minutes old: the worker is gone.
    writeState(uploadingState(process.pid, "After", old));

    renderCommand(<MenuBarCommand />);
    const interrupted = await screen.findByRole("group", { name: "Last Sync Interrupted" });
    expect(menuItem("After · uploading 35% of 3.4 GB", interrupted)).toBeTruthy();
    expect(menuItem("Sync Again", interrupted)).toBeTruthy();

    await hotkey();
    expect(__raycast.huds[0]).toBe("Syncing All Targets · Progress in the Menu Bar");
    expect(__raycast.huds[1]).toBe("1 target synced · 0 moves · 0 B not uploaded · 1 file uploaded (100 B)");
  });
});
