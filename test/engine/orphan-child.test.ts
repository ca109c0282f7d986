// The aws child a killed run leaves behind, at the lock level: recorded by the holder, found by the next
// taker, stopped only when it is really that process (pids are reused), and never stopped when it is not.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isRecordedChild, parseElapsed, type ChildRecord } from "../../src/engine/orphan-child";
import { acquireVolumeLock, LOCK_FILE_NAME, lockHolder, type LockInfo } from "../../src/engine/lock";

let root: string;
let lockFile: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "smart-sync-orphan-"));
  lockFile = path.join(root, LOCK_FILE_NAME);
});

afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  await rm(root, { recursive: true, force: true });
});

function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

const SYNC_ARGS = ["s3", "sync", "/Volumes/Music [old]", "s3://bkt/p/"];

/** A long-running process whose command line reads like `… s3 sync <source> <destination>`. */
async function fakeAws(script = "setInterval(() => {}, 1000)"): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["-e", `${script}; console.log("up")`, ...SYNC_ARGS], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  children.push(child);
  await new Promise((resolve) => child.stdout!.once("data", resolve));
  return child;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** The signal that ended the child, once its exit reached us (the lock only waits until ps no longer lists it). */
async function endedBy(child: ChildProcess): Promise<NodeJS.Signals | null> {
  if (!exited(child)) await new Promise((resolve) => child.once("exit", resolve));
  return child.signalCode;
}

async function staleLockWithChild(child: Partial<ChildRecord> & { pid: number }): Promise<void> {
  const info: LockInfo = {
    pid: deadPid(),
    host: os.hostname(),
    command: "sync",
    startedAt: new Date().toISOString(),
    child: { startedAt: new Date().toISOString(), command: ["/usr/bin/aws", ...SYNC_ARGS, "--delete"], ...child },
  };
  await writeFile(lockFile, JSON.stringify(info));
}

describe("the held lock records the aws child", () => {
  it("setChild rewrites the lock with the child, clears it, and release still removes the lock", async () => {
    const lock = await acquireVolumeLock(root, { command: "sync" });
    const child = { pid: 4242, startedAt: new Date().toISOString(), command: ["aws", ...SYNC_ARGS] };
    lock.setChild(child);
    expect(JSON.parse(await readFile(lockFile, "utf8"))).toEqual({ ...lock.info, child });
    lock.setChild(undefined);
    expect(JSON.parse(await readFile(lockFile, "utf8"))).toEqual(lock.info);
    lock.setChild(child);
    await expect(lock.release()).resolves.toBe(true);
    await expect(readdir(root)).resolves.toEqual([]);
  });
});

describe("a stale lock whose aws child still runs", () => {
  it("is stopped before the lock is taken over, and the new lock says so", async () => {
    const orphan = await fakeAws();
    await staleLockWithChild({ pid: orphan.pid! });
    expect(await lockHolder(root)).toMatchObject({ orphan: true });
    const lock = await acquireVolumeLock(root, { command: "sync" }, { orphanGraceMs: 2000 });
    expect(await endedBy(orphan)).toBe("SIGINT");
    expect(lock.stoppedChild?.pid).toBe(orphan.pid);
    await lock.release();
  });

  it("one that ignores SIGINT is stopped with SIGTERM after the grace period", async () => {
    const orphan = await fakeAws("process.on('SIGINT', () => {}); setInterval(() => {}, 1000)");
    await staleLockWithChild({ pid: orphan.pid! });
    const lock = await acquireVolumeLock(root, { command: "sync" }, { orphanGraceMs: 300 });
    expect(await endedBy(orphan)).toBe("SIGTERM");
    expect(lock.stoppedChild?.pid).toBe(orphan.pid);
    await lock.release();
  });

  it("a reused pid running something else is left alone", async () => {
    const other = spawn("sleep", ["30"]);
    children.push(other);
    await staleLockWithChild({ pid: other.pid! });
    expect(await lockHolder(root)).toBeUndefined();
    const lock = await acquireVolumeLock(root, { command: "sync" }, { orphanGraceMs: 300 });
    expect(exited(other)).toBe(false);
    expect(lock.stoppedChild).toBeUndefined();
    await lock.release();
  });

  it("the same command line started at another time is not the recorded child", async () => {
    const later = await fakeAws();
    await staleLockWithChild({ pid: later.pid!, startedAt: new Date(Date.now() - 3600_000).toISOString() });
    const lock = await acquireVolumeLock(root, { command: "sync" }, { orphanGraceMs: 300 });
    expect(exited(later)).toBe(false);
    expect(lock.stoppedChild).toBeUndefined();
    await lock.release();
  });

  it("a child that has exited is nothing to stop", async () => {
    await staleLockWithChild({ pid: deadPid() });
    const lock = await acquireVolumeLock(root, { command: "sync" });
    expect(lock.stoppedChild).toBeUndefined();
    await lock.release();
  });
});

describe("recognising the recorded child", () => {
  const child: ChildRecord = { pid: 1, startedAt: "2026-11-20T10:00:00.000Z", command: ["aws", ...SYNC_ARGS] };
  const started = Date.parse(child.startedAt);
  const args = `/usr/bin/python3 /usr/bin/aws ${SYNC_ARGS.join(" ")} --delete`;

  it("needs the same `s3 sync <source> <destination>`, a start within seconds, and a live process", () => {
    expect(isRecordedChild(child, { state: "S", elapsedS: 60, args }, started + 60_000)).toBe(true);
    expect(isRecordedChild(child, { state: "S", elapsedS: 60, args }, started + 120_000)).toBe(false);
    expect(isRecordedChild(child, { state: "Z", elapsedS: 60, args }, started + 60_000)).toBe(false);
    const otherSource = args.replace("[old]", "[new]");
    expect(isRecordedChild(child, { state: "S", elapsedS: 60, args: otherSource }, started + 60_000)).toBe(false);
    expect(isRecordedChild(child, { state: "S", args }, started + 999_000)).toBe(true);
  });

  it("reads ps's elapsed time", () => {
    expect(parseElapsed("05:07")).toBe(307);
    expect(parseElapsed("01:05:07")).toBe(3907);
    expect(parseElapsed("2-01:05:07")).toBe(2 * 86400 + 3907);
    expect(parseElapsed("soon")).toBeUndefined();
  });
});
