// Sync All Targets starts the real worker (assets/worker.mjs, Raycast's Node) and follows its state file:
// progress in an animated toast, a HUD at the end, failures with the actions to act on them.
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { acquireVolumeLock } from "../../src/engine/lock";
import SyncAllTargets from "../../src/sync-all-targets";
import { __raycast, environment } from "../mocks/raycast-api";
import { useUiFixture } from "./support/fixture";

const fx = useUiFixture();

describe("Sync All Targets", () => {
  it("moves renamed files in the background worker, skips an unmounted volume and sums it up in a HUD", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("vault");
    v.file("Mixes/set.flac", 300_000);
    await fx.sync(v, bucket, "Vault");
    v.rename("Mixes/set.flac", "Mixes/2024/set.flac");
    fx.writeConfig([fx.line(v, bucket, "name=Vault"), fx.line("/Volumes/Offline Disk", `${bucket}-x`, "name=Offline")]);

    await SyncAllTargets();

    expect(__raycast.huds).toEqual(["1 target synced · 1 move · 300 KB not uploaded · Offline not mounted (skipped)"]);
    const progress = __raycast.toasts.find((t) => t.title === "Syncing All Targets")!;
    expect(progress.style).toBe("animated");
    expect(progress.messages.some((m) => /^Vault · /.test(m))).toBe(true);
    await fx.client().send(new HeadObjectCommand({ Bucket: bucket, Key: "Mixes/2024/set.flac" }));
    await expect(fx.client().send(new HeadObjectCommand({ Bucket: bucket, Key: "Mixes/set.flac" }))).rejects.toThrow();
  });

  it("names the failed target and its reason, with Open Config and Open Log", async () => {
    const v = fx.volume("lost");
    v.file("a.txt", 10);
    const file = fx.writeConfig([fx.line(v, "no-such-bucket-here", "name=Lost")]);

    await SyncAllTargets();

    const failure = __raycast.toasts.find((t) => t.style === "failure")!;
    expect(failure.title).toBe("Sync Failed: Lost");
    expect(failure.message).toMatch(/no-such-bucket-here/);
    expect(failure.primaryAction!.title).toBe("Open Config");
    expect(failure.secondaryAction!.title).toBe("Open Log");
    await failure.primaryAction!.onAction(failure);
    await failure.secondaryAction!.onAction(failure);
    expect(__raycast.opened[0]!.target).toBe(file);
    expect(__raycast.opened[1]!.target).toMatch(new RegExp(`^${v.root}/logs/s3-sync-batch-.*\\.log$`));
    expect(__raycast.huds).toEqual([]);
  });

  it("offers Retry when the volume was busy, and the retry syncs", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("busy");
    v.file("a.txt", 1000);
    fx.writeConfig([fx.line(v, bucket, "name=Busy")]);
    const lock = await acquireVolumeLock(v.root, { command: "test" });

    await SyncAllTargets();
    const failure = __raycast.toasts.find((t) => t.style === "failure")!;
    expect(failure.title).toBe("Sync Failed: Busy");
    expect(failure.message).toMatch(/Another sync is running on this volume/);
    expect(failure.primaryAction!.title).toBe("Retry");

    await lock.release();
    await failure.primaryAction!.onAction(failure);
    await expect
      .poll(() => __raycast.huds, { timeout: 30_000 })
      .toEqual(["1 target synced · 0 moves · 0 B not uploaded"]);
    await fx.client().send(new HeadObjectCommand({ Bucket: bucket, Key: "a.txt" }));
  });

  it("does not start a second sync while one runs", async () => {
    const v = fx.volume("any");
    fx.writeConfig([fx.line(v, "some-bucket")]);
    const state = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      phase: "move",
      target: "Vault",
      progress: "Vault · moving 12/40",
      done: false,
      reports: [],
    };
    writeFileSync(path.join(environment.supportPath, "sync-state.json"), JSON.stringify(state));

    await SyncAllTargets();

    expect(__raycast.huds).toEqual(["A sync is already running: Vault · moving 12/40"]);
    expect(__raycast.toasts).toEqual([]);
  });
});
