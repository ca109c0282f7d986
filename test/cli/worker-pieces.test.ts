// The worker's small parts, each alone: when a state is stale, the summary line, the macOS notification
// and the keep-awake assertion (their command lines, macOS only).
import { describe, expect, it } from "vitest";
import { keepAwake, keepAwakeArgs } from "../../src/cli/keep-awake";
import { notificationArgs, notify } from "../../src/cli/notify";
import { STALE_AFTER_MS, workerStatus } from "../../src/cli/state-file";
import { finishedMessage, syncSummary } from "../../src/cli/summary";
import type { TargetReport } from "../../src/engine/report";

function report(target: string, over: Partial<TargetReport> = {}): TargetReport {
  return {
    target,
    localPath: `/Volumes/${target}`,
    bucket: "b",
    prefix: "",
    command: "sync",
    dryRun: false,
    status: "ok",
    notices: [],
    moves: { done: 0, failed: 0, skipped: 0, pendingRestore: 0, list: [] },
    bytesSaved: 0,
    counts: { new: 0, modified: 0, deleted: 0, unchanged: 0 },
    startedAt: new Date().toISOString(),
    durationMs: 1,
    ...over,
  };
}

describe("workerStatus", () => {
  const now = Date.parse("2025-01-01T12:00:00Z");
  const base = { pid: 123, done: false, updatedAt: "2025-01-01T11:59:58Z", heartbeatAt: "2025-01-01T11:59:58Z" };
  it("is running while the worker lives and beats", () => {
    expect(workerStatus(base, { now, isAlive: () => true })).toBe("running");
  });
  it("is interrupted when the worker is gone, or silent for too long although its pid lives", () => {
    expect(workerStatus(base, { now, isAlive: () => false })).toBe("interrupted");
    const old = new Date(now - STALE_AFTER_MS - 1000).toISOString();
    expect(workerStatus({ ...base, heartbeatAt: old, updatedAt: old }, { now, isAlive: () => true })).toBe(
      "interrupted",
    );
  });
  it("is finished once done, whatever the pid", () => {
    expect(workerStatus({ ...base, done: true }, { now, isAlive: () => false })).toBe("finished");
  });
});

describe("the summary line", () => {
  it("counts targets, moves, bytes not uploaded and what aws uploaded", () => {
    const reports = [
      report("Music", { moves: { done: 50, failed: 0, skipped: 0, pendingRestore: 0, list: [] }, bytesSaved: 3e9 }),
      report("Photos", { moves: { done: 2, failed: 0, skipped: 0, pendingRestore: 0, list: [] }, bytesSaved: 1e8 }),
      report("Video"),
      report("Docs"),
      report("Offline", { status: "skipped", error: { code: "VOLUME_MISSING", message: "not mounted" } }),
    ];
    const uploaded = { Music: { files: 10, bytes: 30e6 }, Photos: { files: 2, bytes: 10e6 } };
    expect(syncSummary(reports, uploaded)).toBe(
      "4 targets synced · 52 moves · 3.1 GB not uploaded · 12 files uploaded (40.0 MB) · Offline not mounted (skipped)",
    );
  });
  it("names failed and refused targets, and the notification title says which", () => {
    const reports = [
      report("Vault", {
        status: "failed",
        error: { code: "DELETES_REFUSED", message: "Would delete 12,400 objects." },
      }),
      report("Lost", { status: "failed", error: { code: "BUCKET_MISSING", message: "No bucket." } }),
    ];
    expect(syncSummary(reports)).toBe(
      "0 targets synced · 0 moves · 0 B not uploaded · 0 files uploaded · Vault refused · Lost failed",
    );
    const state = {
      reports,
      uploaded: {},
      unchanged: [],
      done: true,
    } as unknown as Parameters<typeof finishedMessage>[0];
    expect(finishedMessage(state)).toEqual({
      title: "Sync Refused: Vault (and 1 more)",
      message: "Would delete 12,400 objects.",
      failed: true,
      refused: true,
    });
  });
});

describe("notification and keep-awake", () => {
  it("passes the notification to osascript as one AppleScript line, quotes escaped, on macOS only", async () => {
    expect(notificationArgs('Sync Failed: "Vault"', "a\\b\nc")).toEqual([
      "-e",
      'display notification "a\\\\b c" with title "Sync Failed: \\"Vault\\""',
    ]);
    const calls: [string, string[]][] = [];
    const run = async (file: string, args: string[]) => void calls.push([file, args]);
    expect(await notify("T", "M", { platform: "darwin", run })).toBe(true);
    expect(calls).toEqual([["/usr/bin/osascript", ["-e", 'display notification "M" with title "T"']]]);
    expect(await notify("T", "M", { platform: "linux", run })).toBe(false);
    expect(calls).toHaveLength(1);
    const failing = async () => {
      throw new Error("no osascript");
    };
    expect(await notify("T", "M", { platform: "darwin", run: failing })).toBe(false);
  });

  it("runs caffeinate -i -w <pid> on macOS and nothing elsewhere", () => {
    const started: [string, string[]][] = [];
    const start = (file: string, args: string[]) => void started.push([file, args]);
    expect(keepAwake({ platform: "darwin", pid: 4242, start })).toBe(true);
    expect(started).toEqual([["/usr/bin/caffeinate", ["-i", "-w", "4242"]]]);
    expect(keepAwake({ platform: "linux", pid: 4242, start })).toBe(false);
    expect(started).toHaveLength(1);
    expect(keepAwakeArgs(7)).toEqual(["-i", "-w", "7"]);
  });
});
