// Scheduled Sync, the background command: what it decides (start the worker for the targets that can
// sync, skip a locked, unmounted or refused one, never while a sync runs), that it returns without waiting
// for the worker, and how a failure is reported (the menu bar marks it).
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { SyncState } from "../../src/cli/state-file";
import { decideScheduled } from "../../src/commands/scheduled/decide";
import type { ScheduleState } from "../../src/commands/scheduled/state";
import { waitForSync } from "../../src/commands/lib/worker";
import { acquireVolumeLock } from "../../src/engine/lock";
import ScheduledSync from "../../src/scheduled-sync";
import { __raycast, environment } from "../mocks/raycast-api";
import { useUiFixture } from "./support/fixture";

const fx = useUiFixture();

const support = (name: string) => path.join(environment.supportPath, name);
const schedule = () => JSON.parse(readFileSync(support("schedule-state.json"), "utf8")) as ScheduleState;
/** The state file of the worker started after `previousPid` (the command returns before it writes one). */
async function nextWorker(previousPid?: number): Promise<SyncState> {
  let state: SyncState | undefined;
  await expect
    .poll(
      () => {
        try {
          state = JSON.parse(readFileSync(support("sync-state.json"), "utf8")) as SyncState;
        } catch {
          state = undefined;
        }
        return state !== undefined && state.pid !== previousPid;
      },
      { timeout: 30_000, interval: 50 },
    )
    .toBe(true);
  return state!;
}
const started = () =>
  readFileSync(support("sync-worker.log"), "utf8")
    .split("\n")
    .filter((l) => l.includes(" started: "))
    .map((l) => l.replace(/^.* started: /, ""));

describe("decideScheduled", () => {
  it("starts the mounted, free, not refused targets and says why it skips the others", () => {
    const lock = { pid: 42, host: "mac", command: "batch", startedAt: "2025-01-01T00:00:00Z" };
    const refused = {
      target: "Old",
      localPath: "/Volumes/Old",
      at: "2025-01-01T00:00:00Z",
      status: "failed" as const,
      error: { code: "VOLUME_REFUSED", message: "/Volumes/Old is empty while its bucket is not." },
    };
    const failed = { ...refused, target: "Flaky", error: { code: "NETWORK", message: "timeout" } };
    expect(
      decideScheduled(
        [
          { name: "Music", mounted: true },
          { name: "Away", mounted: false },
          { name: "Busy", mounted: true, lock },
          { name: "Old", mounted: true, last: refused },
          { name: "Flaky", mounted: true, last: failed },
        ],
        undefined,
      ),
    ).toEqual({
      start: ["Music", "Flaky"],
      skipped: [
        { target: "Away", reason: "not mounted" },
        { target: "Busy", reason: "locked by batch (pid 42)" },
        { target: "Old", reason: "refused until you confirm: /Volumes/Old is empty while its bucket is not." },
      ],
    });
    expect(decideScheduled([{ name: "Music", mounted: true }], { progress: "Vault · moving 1/2" })).toEqual({
      start: [],
      skipped: [{ target: "Music", reason: "a sync is running (Vault · moving 1/2)" }],
    });
  });
});

describe("Scheduled Sync", () => {
  it("starts the worker in the background for what can sync, returns at once, and records its decision", async () => {
    const bucket = await fx.bucket();
    const music = fx.volume("music");
    music.file("a.mp3", 3_000);
    const busy = fx.volume("busy");
    busy.file("b.mp3", 10);
    const old = fx.volume("old");
    fx.writeConfig([
      fx.line(music, bucket, "name=Music"),
      fx.line(busy, `${bucket}-busy`, "name=Busy"),
      fx.line(old, `${bucket}-old`, "name=Old"),
      fx.line("/Volumes/Away", `${bucket}-away`, "name=Away"),
    ]);
    // Old was refused by a guard at its last run (a results file as the worker writes it).
    writeFileSync(
      support("last-results.json"),
      JSON.stringify({
        Old: {
          target: "Old",
          localPath: old.root,
          at: new Date().toISOString(),
          status: "failed",
          error: {
            code: "VOLUME_REFUSED",
            message: `${old.root} is empty while its bucket is not.`,
            hint: "Mount it.",
          },
        },
      }),
    );
    const lock = await acquireVolumeLock(busy.root, { command: "batch" });
    environment.launchType = "background";

    await ScheduledSync();
    await lock.release();

    const decided = schedule();
    expect(decided.started).toEqual(["Music"]);
    expect(decided.skipped).toEqual([
      { target: "Busy", reason: `locked by batch (pid ${process.pid})` },
      { target: "Old", reason: `refused until you confirm: ${old.root} is empty while its bucket is not.` },
      { target: "Away", reason: "not mounted" },
    ]);
    expect(started()).toEqual([expect.stringContaining("--target Music --if-changed --keep-awake --notify-failures")]);
    expect(__raycast.huds).toEqual([]); // background: nothing on screen
    expect(__raycast.metadata.at(-1)!.subtitle).toMatch(/: Syncing Music if changed · Busy locked by batch/);
    expect(__raycast.launched.map((l) => l.name)).toContain("menu-bar");

    // The worker goes on alone and syncs Music.
    const state = await nextWorker();
    const done = (await waitForSync(state.pid))!;
    expect(done.reports.map((r) => `${r.target}:${r.status}`)).toEqual(["Music:ok"]);
    await fx.client().send(new HeadObjectCommand({ Bucket: bucket, Key: "a.mp3" }));

    // The next check: Busy is free now and its run fails (its bucket does not exist): the worker notifies
    // about the failure. Music is unchanged, so the worker leaves it alone.
    await ScheduledSync();
    expect(schedule().started).toEqual(["Music", "Busy"]);
    const again = await nextWorker(state.pid);
    const second = (await waitForSync(again.pid))!;
    expect(second.unchanged).toEqual(["Music"]);
    expect(second.reports.map((r) => `${r.target}:${r.error?.code}`)).toEqual(["Busy:BUCKET_MISSING"]);
    expect(second.notification).toMatchObject({ title: "Sync Failed: Busy", sent: false });
  });

  it("never starts while a sync runs, and says it is on when the user runs it", async () => {
    const v = fx.volume("music");
    fx.writeConfig([fx.line(v, "some-bucket", "name=Music")]);
    const now = new Date().toISOString();
    writeFileSync(
      support("sync-state.json"),
      JSON.stringify({
        pid: process.pid,
        workerStartedAt: now,
        startedAt: now,
        updatedAt: now,
        heartbeatAt: now,
        phase: "aws",
        target: "Music",
        progress: "Music · uploading 5% of 2.0 GB",
        done: false,
        reports: [],
        uploaded: {},
        unchanged: [],
      }),
    );
    await ScheduledSync();
    expect(schedule()).toMatchObject({
      started: [],
      skipped: [{ target: "Music", reason: "a sync is running (Music · uploading 5% of 2.0 GB)" }],
    });
    expect(__raycast.huds).toEqual(["Scheduled Sync Is On · Music a sync is running (Music · uploading 5% of 2.0 GB)"]);
  });

  it("reports a config it cannot use", async () => {
    fx.writeConfig(["/Volumes/X | Not_A_Bucket"]);
    environment.launchType = "background";
    await ScheduledSync();
    expect(schedule().error).toMatchObject({ code: "CONFIG_INVALID", message: expect.stringMatching(/^Line 1: /) });
    expect(__raycast.metadata.at(-1)!.subtitle).toMatch(/Could not check: Line 1: /);
  });
});
