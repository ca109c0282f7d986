// Stage 1, guard (part one): the volume is there and usable, its lock is ours (or, for a dry run, whose it
// is), its state DB is open, and what the OS and the records say about which volume this is.
import { constants as fsConstants, promises as fs } from "node:fs";
import { openStateDb, type StateDb } from "../db";
import { SmartSyncError } from "../errors";
import { normalizePrefix, s3Uri } from "../keys";
import { acquireVolumeLock, lockHolder, type VolumeLock } from "../lock";
import { readTargetMemory, type RecordedVolume } from "../user-state";
import { readVolumeFacts, type VolumeFacts } from "../volume-facts";
import type { RunContext } from "./context";

export interface OpenedVolume {
  db: StateDb;
  /** No usable state for this target (first run, DB moved aside, another target's DB): the scan is the baseline. */
  baseline: boolean;
  facts: VolumeFacts;
  /** The id kept in the volume's DB; null when the DB is new. */
  dbId: string | null;
  /** Which volume the target was last synced from: this user's state folder first, else the volume's DB. */
  recorded?: { volume: RecordedVolume; lastSyncAt: string; fileCount?: number };
  lock?: VolumeLock;
}

/** Meta keys of the DB that hold the volume's identity. */
export const VOLUME_ID_META = "volume_id";
export const VOLUME_META = "volume";

export async function openVolume(ctx: RunContext): Promise<OpenedVolume> {
  const { target, dryRun, options } = ctx;
  await assertVolume(target.localPath, { write: !dryRun });
  ctx.emit({
    type: "target-start",
    target: target.name,
    localPath: target.localPath,
    destination: s3Uri(target.bucket, ctx.prefix),
    dryRun,
  });

  ctx.phase("lock");
  let lock: VolumeLock | undefined;
  if (dryRun) {
    // A dry run reads beside a running sync: it takes no lock and writes nothing to the volume.
    const holder = await lockHolder(target.localPath);
    const running = holder?.orphan
      ? `an aws s3 sync left by a killed run, pid ${holder.child?.pid}, since ${holder.child?.startedAt}`
      : `${holder?.command}, pid ${holder?.pid}, since ${holder?.startedAt}`;
    if (holder)
      ctx.notice(
        `A sync is running on this volume (${running}): ` +
          `this shows the volume as it is now; the running sync may already be making some of these changes.`,
      );
  } else {
    lock = await acquireVolumeLock(target.localPath, { command: options.commandName ?? options.command });
    // A killed run's aws was still syncing this volume: two aws must never run on it at once.
    const orphan = lock.stoppedChild;
    if (orphan)
      ctx.notice(
        `An aws s3 sync started by an earlier run that was killed (pid ${orphan.pid}, since ${orphan.startedAt}) ` +
          `was still running on this volume: it was stopped before this run began.`,
        "warning",
      );
  }

  try {
    ctx.phase("database");
    const [opened, facts, memory] = await Promise.all([
      openStateDb({ volumeRoot: target.localPath, wasmBinary: options.wasmBinary, now: ctx.now, readOnly: dryRun }),
      readVolumeFacts(target.localPath),
      readTargetMemory(target, options.env),
    ]);
    const { db } = opened;
    for (const message of opened.notices) ctx.notice(message, "warning");
    const recordedTarget = db.getTarget();
    const sameTarget =
      recordedTarget?.bucket === target.bucket && normalizePrefix(recordedTarget.prefix) === ctx.prefix;
    if (recordedTarget && !sameTarget) {
      ctx.notice(
        `The volume's state describes s3://${recordedTarget.bucket}/${recordedTarget.prefix}, not this target: ` +
          `it is not used for moves, and this run starts as a first run.`,
        "warning",
      );
    }
    const dbId = db.isNew ? null : db.getMeta(VOLUME_ID_META);
    const onVolume = db.isNew ? undefined : recordedOnVolume(db);
    const recorded = memory
      ? { volume: memory.volume, lastSyncAt: memory.lastSyncAt, fileCount: memory.fileCount }
      : onVolume;
    if (memory && db.isNew) {
      ctx.notice(
        `The volume's state DB is gone (the last sync, on ${memory.lastSyncAt.slice(0, 10)}, recorded ` +
          `${memory.fileCount} files): this run starts as a first run and checks the volume against the bucket.`,
        "warning",
      );
    }
    return { db, baseline: db.isNew || !sameTarget, facts, dbId, recorded, lock };
  } catch (error) {
    await lock?.release();
    throw error;
  }
}

function recordedOnVolume(db: StateDb): OpenedVolume["recorded"] {
  const text = db.getMeta(VOLUME_META);
  const dbId = db.getMeta(VOLUME_ID_META);
  if (!text || !dbId) return undefined;
  try {
    const meta = JSON.parse(text) as Omit<RecordedVolume, "dbId"> & { recordedAt: string };
    return { volume: { ...meta, dbId }, lastSyncAt: meta.recordedAt };
  } catch {
    return undefined;
  }
}

async function isDirectory(root: string): Promise<boolean> {
  try {
    return (await fs.stat(root)).isDirectory();
  } catch {
    return false;
  }
}

export async function assertMounted(root: string): Promise<void> {
  if (!(await isDirectory(root))) {
    throw new SmartSyncError("VOLUME_MISSING", `${root} is not mounted or does not exist.`, {
      hint: "Connect the volume (or fix the path in the config) and run again.",
    });
  }
}

async function assertVolume(root: string, options: { write: boolean }): Promise<void> {
  await assertMounted(root);
  // Before the log folder and the lock are created in it, which would fail with a bare EACCES.
  try {
    await fs.access(root, fsConstants.R_OK | fsConstants.X_OK);
  } catch (cause) {
    throw new SmartSyncError("VOLUME_UNREADABLE", `${root} cannot be read`, {
      hint: "Give this process read access to the folder (on macOS: Full Disk Access for the terminal or Raycast).",
      cause,
    });
  }
  if (!options.write) return;
  try {
    await fs.access(root, fsConstants.W_OK);
  } catch (cause) {
    throw new SmartSyncError("VOLUME_UNREADABLE", `${root} is read-only: the state DB, lock and logs live on it.`, {
      hint: "Mount the volume read-write (or give this process write access to the folder) and run again.",
      cause,
    });
  }
}
