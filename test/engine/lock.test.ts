import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import os, { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LockedError, SmartSyncError } from "../../src/engine/errors";
import { acquireVolumeLock, LOCK_FILE_NAME, type LockInfo } from "../../src/engine/lock";

let root: string;
let lockFile: string;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "smart-sync-lock-"));
  lockFile = path.join(root, LOCK_FILE_NAME);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
  return Number(child.stdout.toString());
}

async function writeLock(info: Partial<LockInfo>): Promise<void> {
  await writeFile(lockFile, JSON.stringify({ pid: 1, host: os.hostname(), command: "sync", ...info }));
}

describe("acquireVolumeLock", () => {
  it("writes who holds it and removes the file on release", async () => {
    const lock = await acquireVolumeLock(root, { command: "sync Music" });
    const written = JSON.parse(await readFile(lockFile, "utf8")) as LockInfo;
    expect(written).toEqual(lock.info);
    expect(written.pid).toBe(process.pid);
    expect(written.host).toBe(os.hostname());
    expect(written.command).toBe("sync Music");
    expect(Date.parse(written.startedAt)).not.toBeNaN();
    await expect(lock.release()).resolves.toBe(true);
    await expect(readdir(root)).resolves.toEqual([]);
    await expect(lock.release()).resolves.toBe(false);
  });

  it("fails fast while the lock is held, naming the holder's pid", async () => {
    const lock = await acquireVolumeLock(root, { command: "sync" });
    const started = Date.now();
    const error = await acquireVolumeLock(root, { command: "moves" }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(LockedError);
    expect((error as LockedError).code).toBe("LOCKED");
    expect((error as LockedError).message).toContain(`pid ${process.pid}`);
    expect((error as LockedError).holder.command).toBe("sync");
    expect((error as LockedError).hint).toContain(lockFile);
    await lock.release();
    const next = await acquireVolumeLock(root, { command: "moves" });
    await next.release();
  });

  it("takes over a lock whose process is dead", async () => {
    const pid = deadPid();
    await writeLock({ pid, startedAt: new Date().toISOString() });
    const lock = await acquireVolumeLock(root, { command: "sync" });
    expect(JSON.parse(await readFile(lockFile, "utf8")).pid).toBe(process.pid);
    await lock.release();
    await expect(readdir(root)).resolves.toEqual([]);
  });

  it("takes over an unreadable lock once it is no longer being written", async () => {
    await writeFile(lockFile, "{not json");
    const old = new Date(Date.now() - 60_000);
    await utimes(lockFile, old, old);
    const lock = await acquireVolumeLock(root, { command: "sync" });
    expect(JSON.parse(await readFile(lockFile, "utf8")).pid).toBe(process.pid);
    await lock.release();
  });

  it("respects another host's lock unless it is older than a day", async () => {
    await writeLock({ pid: 4242, host: "other-mac.local", startedAt: new Date().toISOString() });
    const error = await acquireVolumeLock(root, { command: "sync" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockedError);
    expect((error as LockedError).message).toContain("pid 4242 on other-mac.local");

    await writeLock({
      pid: 4242,
      host: "other-mac.local",
      startedAt: new Date(Date.now() - 25 * 3600_000).toISOString(),
    });
    const lock = await acquireVolumeLock(root, { command: "sync" });
    await lock.release();
  });

  it("release leaves a lock that is no longer ours", async () => {
    const lock = await acquireVolumeLock(root, { command: "sync" });
    await writeLock({ pid: 99, host: "someone-else", startedAt: new Date().toISOString() });
    await expect(lock.release()).resolves.toBe(false);
    expect(JSON.parse(await readFile(lockFile, "utf8")).host).toBe("someone-else");
  });

  it("lets exactly one of many racing acquires win", async () => {
    const starts = ["none", ...Array.from({ length: 12 }, () => "stale" as const)];
    for (const start of starts) {
      if (start === "stale") await writeLock({ pid: deadPid(), startedAt: new Date().toISOString() });
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => acquireVolumeLock(root, { command: `racer ${i}` })),
      );
      const winners = results.filter((r) => r.status === "fulfilled");
      const losers = results.filter((r) => r.status === "rejected");
      expect(winners).toHaveLength(1);
      for (const loser of losers) expect((loser as PromiseRejectedResult).reason).toBeInstanceOf(LockedError);
      await (winners[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof acquireVolumeLock>>>).value.release();
      await expect(readdir(root)).resolves.toEqual([]);
    }
  });

  it("reports a missing volume", async () => {
    const error = await acquireVolumeLock(path.join(root, "not-mounted"), { command: "sync" }).catch((e) => e);
    expect(error).toBeInstanceOf(SmartSyncError);
    expect((error as SmartSyncError).code).toBe("VOLUME_MISSING");
  });
});
