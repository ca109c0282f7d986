// "Skip Move" from a front end: remember that the user wants aws to upload this file rather than have the
// object moved, so the planner stops proposing it. Takes the volume's lock: a run in progress owns the DB.
import { openStateDb } from "./db";
import { acquireVolumeLock } from "./lock";

export interface MoveToSkip {
  from: string;
  to: string;
  inode: number;
  size: number;
  /** Recorded mtime, seconds since the epoch. */
  mtime: number;
}

export async function skipMove(
  localPath: string,
  move: MoveToSkip,
  options: { wasmBinary?: Uint8Array; commandName?: string } = {},
): Promise<void> {
  const lock = await acquireVolumeLock(localPath, { command: options.commandName ?? "skip-move" });
  try {
    const { db } = await openStateDb({ volumeRoot: localPath, wasmBinary: options.wasmBinary });
    try {
      db.addSkippedMove({
        fromPath: move.from,
        toPath: move.to,
        inode: move.inode,
        size: move.size,
        mtime: move.mtime,
      });
      await db.save();
    } finally {
      db.close();
    }
  } finally {
    await lock.release();
  }
}

/** Undo of `skipMove`: the planner proposes the move again. Takes the volume's lock like `skipMove`. */
export async function unskipMove(
  localPath: string,
  move: Pick<MoveToSkip, "from" | "to">,
  options: { wasmBinary?: Uint8Array; commandName?: string } = {},
): Promise<void> {
  const lock = await acquireVolumeLock(localPath, { command: options.commandName ?? "unskip-move" });
  try {
    const { db } = await openStateDb({ volumeRoot: localPath, wasmBinary: options.wasmBinary });
    try {
      db.removeSkippedMove(move.from, move.to);
      await db.save();
    } finally {
      db.close();
    }
  } finally {
    await lock.release();
  }
}
