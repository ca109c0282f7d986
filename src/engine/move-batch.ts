// A journaled batch of moves for one target: schedule, journal, execute, and what the DB learns from it.
// Also finishes the batch an interrupted run left behind, before anything else is planned.
import { MoveJournal, newRunId } from "./journal";
import { keyFor, normalizePrefix } from "./keys";
import { scheduleMoves } from "./move-order";
import { executeMoves, type MoveBatchResult, type MoveOutcome, type MoverProgress } from "./mover";
import type { PlannedMove } from "./planner";
import type { BucketGateway } from "./s3";
import type { StateDb } from "./db";
import type { Target } from "./types";

/** Temporary keys that open cycles live here; `.s3-smart-sync*` keeps aws away from them. */
export const TEMP_PREFIX = ".s3-smart-sync-tmp";

export interface MoveBatchOptions {
  signal?: AbortSignal;
  onProgress?: (progress: MoverProgress) => void;
}

/** Journals the moves (before the first request), then makes them. The journal stays until removed. */
export async function runMoveBatch(
  target: Target,
  gateway: BucketGateway,
  moves: PlannedMove[],
  options: MoveBatchOptions = {},
): Promise<MoveBatchResult & { journal: MoveJournal }> {
  const runId = newRunId();
  const prefix = normalizePrefix(target.prefix);
  const schedule = scheduleMoves(moves, (n) => keyFor(prefix, `${TEMP_PREFIX}/${runId}/${n}`));
  const journal = await MoveJournal.create(target.localPath, {
    version: 1,
    runId,
    bucket: target.bucket,
    prefix,
    createdAt: new Date().toISOString(),
    moves,
    schedule,
  });
  const result = await executeMoves({
    gateway,
    moves,
    schedule,
    journal,
    concurrency: target.concurrency,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  return { ...result, journal };
}

/**
 * After a move succeeded, the moved row changes path and learns the new object's ETag. Every old row is
 * read before any is written: in swaps, cycles and chains one move's destination is another's source.
 * A row that no longer holds the move's file was already moved (a run killed after saving the DB but
 * before removing its journal): applying it again would undo a swap.
 */
export function applyMovesToDb(db: StateDb, outcomes: readonly MoveOutcome[]): void {
  const moved = outcomes.flatMap((o) => {
    const record = o.status === "done" ? db.getFile(o.move.from) : undefined;
    return record && record.inode === o.move.inode && record.size === o.move.size ? [{ o, record }] : [];
  });
  db.deleteFiles(moved.map(({ o }) => o.move.from));
  db.upsertFiles(moved.map(({ o, record }) => ({ ...record, path: o.move.to, etag: o.etag ?? record.etag })));
}

/** Finishes the move batch an interrupted run journaled for this target, if any. */
export async function resumeMoveBatch(
  target: Target,
  db: StateDb,
  gateway: BucketGateway,
  context: {
    dryRun: boolean;
    notice: (message: string, level?: "info" | "warning") => void;
    signal?: AbortSignal;
  },
): Promise<void> {
  const loaded = await MoveJournal.load(target.localPath, { readOnly: context.dryRun });
  if (!loaded) return;
  const { journal, done } = loaded;
  const { header } = journal;
  if (header.bucket !== target.bucket || normalizePrefix(header.prefix) !== normalizePrefix(target.prefix)) {
    context.notice(
      `An interrupted move batch for s3://${header.bucket}/${header.prefix} was found and left alone.`,
      "warning",
    );
    return;
  }
  if (context.dryRun) {
    context.notice(`An interrupted batch of ${header.moves.length} move(s) will be finished by the next run.`);
    return;
  }
  context.notice(`Finishing ${header.moves.length} move(s) interrupted in an earlier run (${header.runId}).`);
  const result = await executeMoves({
    gateway,
    moves: header.moves,
    schedule: header.schedule,
    journal,
    alreadyDone: done,
    concurrency: target.concurrency,
    signal: context.signal,
  });
  applyMovesToDb(db, result.outcomes);
  await db.save();
  if (result.error !== undefined) throw result.error;
  await journal.remove();
}
