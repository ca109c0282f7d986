// The per-volume lock, `<volume>/.s3-smart-sync.lock`: a file created exclusively holding who took it.
//
// A lock is stale, and taken over, when its holder cannot still be running: same host and the pid is dead or
// the lock predates the last boot; another host and older than `foreignStaleMs`; unreadable and not being
// written any more. Takers serialise through a second exclusive file (`.lock.takeover`), so two runs that
// find the same stale lock cannot both win. Releasing on signals is the caller's job: a SIGKILLed holder
// leaves its lock behind, and the next run takes it over because its pid is dead.
//
// The holder records the aws child it starts (`child`). A holder killed while aws runs leaves that aws going:
// the run that takes its stale lock over first stops that aws (orphan-child.ts), so two aws never work on
// one volume at once.

import { readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { readFile, stat, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { recordedChildRunning, stopRecordedChild, type ChildRecord } from "./orphan-child";
import { LockedError, SmartSyncError } from "./errors";

export const LOCK_FILE_NAME = ".s3-smart-sync.lock";

export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** The aws process the holder started, while it runs. */
  child?: ChildRecord;
}

export interface VolumeLock {
  readonly path: string;
  readonly info: LockInfo;
  /** The aws child of a killed earlier run, still running when this lock was taken, and stopped. */
  readonly stoppedChild?: ChildRecord;
  /**
   * Records (or clears) the child process this run started. Synchronous, so that a kill right after the
   * spawn still finds the child recorded; throws when the lock file cannot be rewritten.
   */
  setChild(child: ChildRecord | undefined): void;
  /** Removes the lock file if it is still ours; never throws. True when it removed it. */
  release(): Promise<boolean>;
  /** The same, synchronously, for `process.on("exit")` handlers. */
  releaseSync(): boolean;
}

export interface AcquireLockOptions {
  now?: () => Date;
  hostname?: string;
  /** A lock from another host older than this is stale (default 24 h). */
  foreignStaleMs?: number;
  /** How long an orphaned aws child gets to stop after SIGINT (default 10 s). */
  orphanGraceMs?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** A lock file without valid JSON is being written if younger than this; older, it is debris. */
const UNREADABLE_GRACE_MS = 2000;
/** A takeover file older than this was left by a taker that died mid-takeover. */
const TAKEOVER_STALE_MS = 10_000;
const RETRY_DELAY_MS = 25;
const MAX_ATTEMPTS = 200;

/** Takes the volume's lock or throws `LockedError` naming the holder. */
export async function acquireVolumeLock(
  volumeRoot: string,
  info: { command: string },
  options: AcquireLockOptions = {},
): Promise<VolumeLock> {
  const now = options.now ?? (() => new Date());
  const host = options.hostname ?? os.hostname();
  const foreignStaleMs = options.foreignStaleMs ?? DAY_MS;
  const lockPath = path.join(volumeRoot, LOCK_FILE_NAME);
  let stoppedChild: ChildRecord | undefined;

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const mine: LockInfo = { pid: process.pid, host, command: info.command, startedAt: now().toISOString() };
    const text = `${JSON.stringify(mine)}\n`;
    if (await createExclusive(lockPath, text)) return heldLock(lockPath, mine, text, stoppedChild);

    const found = await readLock(lockPath);
    if (found === "gone") continue;
    const verdict = judge(found, { now: now(), host, foreignStaleMs });
    if (verdict === "held" && found.info) throw new LockedError(lockPath, found.info);
    if (verdict === "wait") {
      await sleep(RETRY_DELAY_MS);
      continue;
    }
    // The holder is gone; an aws it started may not be. Only a child on this host can be checked.
    const child = found.info?.host === host ? found.info.child : undefined;
    if (child && (await stopRecordedChild(child, { graceMs: options.orphanGraceMs }))) stoppedChild = child;
    if (!(await removeStale(lockPath, found.text, now()))) await sleep(RETRY_DELAY_MS);
  }
  throw new SmartSyncError("LOCKED", `Could not take the lock ${lockPath}: it kept changing.`, {
    hint: `Wait for other syncs on this volume to finish. If none is running, delete ${lockPath}.`,
    retryable: true,
  });
}

/**
 * Who holds the volume's lock, without taking it or touching the volume (dry runs read beside a sync);
 * undefined when it is free. A stale lock whose aws child still runs counts as held by that child
 * (`orphan` set): the volume is being synced all the same.
 */
export async function lockHolder(
  volumeRoot: string,
  options: AcquireLockOptions = {},
): Promise<(LockInfo & { orphan?: boolean }) | undefined> {
  const found = await readLock(path.join(volumeRoot, LOCK_FILE_NAME)).catch(() => "gone" as const);
  if (found === "gone" || !found.info) return undefined;
  const context = {
    now: (options.now ?? (() => new Date()))(),
    host: options.hostname ?? os.hostname(),
    foreignStaleMs: options.foreignStaleMs ?? DAY_MS,
  };
  if (judge(found, context) === "held") return found.info;
  const { child } = found.info;
  if (child && found.info.host === context.host && (await recordedChildRunning(child)))
    return { ...found.info, orphan: true };
  return undefined;
}

type Found = { text: string; ageMs: number; info?: LockInfo };

async function createExclusive(file: string, text: string): Promise<boolean> {
  try {
    await writeFile(file, text, { flag: "wx" });
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    const volume = path.dirname(file);
    if (code === "ENOENT") {
      throw new SmartSyncError("VOLUME_MISSING", `The folder ${volume} does not exist.`, {
        hint: "Mount the volume or fix the target's path.",
        cause: error,
      });
    }
    throw new SmartSyncError("VOLUME_UNREADABLE", `Cannot create the lock file in ${volume} (${code}).`, {
      hint: "Check that the volume is mounted writable and that you may write to it.",
      cause: error,
    });
  }
}

async function readLock(file: string): Promise<Found | "gone"> {
  try {
    const [text, stats] = await Promise.all([readFile(file, "utf8"), stat(file)]);
    return { text, ageMs: Date.now() - stats.mtimeMs, info: parseLock(text) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockInfo>;
    if (
      Number.isInteger(value.pid) &&
      typeof value.host === "string" &&
      typeof value.command === "string" &&
      typeof value.startedAt === "string" &&
      !Number.isNaN(Date.parse(value.startedAt))
    ) {
      const { child, ...info } = value as LockInfo;
      return isChildRecord(child) ? { ...info, child } : info;
    }
  } catch {
    // Falls through: an unreadable lock.
  }
  return undefined;
}

function isChildRecord(value: unknown): value is ChildRecord {
  const child = value as Partial<ChildRecord> | undefined;
  return (
    typeof child === "object" &&
    child !== null &&
    Number.isInteger(child.pid) &&
    (child.pid ?? 0) > 0 &&
    typeof child.startedAt === "string" &&
    Array.isArray(child.command) &&
    child.command.every((part) => typeof part === "string")
  );
}

function judge(found: Found, context: { now: Date; host: string; foreignStaleMs: number }): "held" | "stale" | "wait" {
  if (!found.info) return found.ageMs < UNREADABLE_GRACE_MS ? "wait" : "stale";
  const { pid, host, startedAt } = found.info;
  const started = Date.parse(startedAt);
  if (host !== context.host) return context.now.getTime() - started > context.foreignStaleMs ? "stale" : "held";
  const bootTime = Date.now() - os.uptime() * 1000;
  // After a reboot the pid may belong to an unrelated process.
  if (started < bootTime - 60_000) return "stale";
  return isAlive(pid) ? "held" : "stale";
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes the lock only if it still holds `staleText`, under the takeover file. False if it must retry. */
async function removeStale(lockPath: string, staleText: string, now: Date): Promise<boolean> {
  const takeover = `${lockPath}.takeover`;
  if (!(await createExclusive(takeover, `${JSON.stringify({ pid: process.pid, at: now.toISOString() })}\n`))) {
    const other = await readLock(takeover);
    if (other !== "gone" && other.ageMs > TAKEOVER_STALE_MS) await unlink(takeover).catch(() => undefined);
    return false;
  }
  try {
    const current = await readLock(lockPath);
    if (current !== "gone" && current.text === staleText) await unlink(lockPath).catch(ignoreMissing);
    return true;
  } finally {
    await unlink(takeover).catch(() => undefined);
  }
}

function heldLock(lockPath: string, info: LockInfo, firstText: string, stoppedChild?: ChildRecord): VolumeLock {
  let released = false;
  let text = firstText;
  return {
    path: lockPath,
    info,
    stoppedChild,
    setChild(child) {
      if (released) return;
      const next = `${JSON.stringify({ ...info, child })}\n`;
      // A rename, so that a reader never sees a half-written lock (which it would call unreadable).
      const temp = `${lockPath}.tmp-${process.pid}`;
      writeFileSync(temp, next);
      renameSync(temp, lockPath);
      text = next;
    },
    async release() {
      if (released) return false;
      released = true;
      try {
        if ((await readFile(lockPath, "utf8")) !== text) return false;
        await unlink(lockPath);
        return true;
      } catch {
        return false;
      }
    },
    releaseSync() {
      if (released) return false;
      released = true;
      try {
        if (readFileSync(lockPath, "utf8") !== text) return false;
        unlinkSync(lockPath);
        return true;
      } catch {
        return false;
      }
    },
  };
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
