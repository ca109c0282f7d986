// A journaled batch of moves for one target: schedule, journal, execute, and what the DB learns from it.
// Also finishes the batch an interrupted run left behind, before anything else is planned.
import { rowBytes, type StateDb } from "./db";
import { MoveJournal, newRunId, type JournalHeader } from "./journal";
import { keyFor, normalizePrefix } from "./keys";
import { SCHEDULER_VERSION, scheduleMoves, stepCount, type MoveSchedule } from "./move-order";
import { executeMoves, type MoveBatchResult, type MoveOutcome, type MoverProgress } from "./mover";
import { comparePaths } from "./path-order";
import type { PlannedMove } from "./planner";
import type { BucketGateway } from "./s3";
import type { FileRecord, Target } from "./types";

/** Temporary keys that open cycles live here; `.s3-smart-sync*` keeps aws away from them. */
export const TEMP_PREFIX = ".s3-smart-sync-tmp";

/** The folder of temporary keys under the target's prefix (with a trailing `/`). */
export function tempFolder(prefix: string): string {
  return keyFor(prefix, `${TEMP_PREFIX}/`);
}

/** The temporary keys of one run: `<prefix>/.s3-smart-sync-tmp/<runId>/<n>`. */
export function tempKeyFor(prefix: string, runId: string): (n: number) => string {
  return (n) => `${tempFolder(prefix)}${runId}/${n}`;
}

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
  const schedule = scheduleMoves(moves, tempKeyFor(prefix, runId));
  const header: JournalHeader = {
    version: 2,
    runId,
    bucket: target.bucket,
    prefix,
    endpoint: target.endpointUrl ?? null,
    profile: target.profile ?? null,
    createdAt: new Date().toISOString(),
    moves: moves.length,
    steps: stepCount(schedule),
    scheduler: SCHEDULER_VERSION,
  };
  const journal = await MoveJournal.create(target.localPath, header, moves);
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
 * After a move succeeded, the moved row changes path, learns the new object's ETag, and is confirmed synced
 * now (the copy's LastModified is no later than that: the invalidation step relies on it). Every old row is
 * read before any is written: in swaps, cycles and chains one move's destination is another's source.
 * A row that no longer holds the move's file was already moved (a run killed after saving the DB but
 * before removing its journal): applying it again would undo a swap. Rows are read into typed arrays and
 * written one at a time: a folder rename of a million files must not hold a million rows twice over.
 */
export function applyMovesToDb(db: StateDb, outcomes: readonly MoveOutcome[], now = Date.now() / 1000): void {
  const done = outcomes.filter((o) => o.status === "done");
  const rows = recordedRows(db, done);
  const moved: number[] = [];
  for (let i = 0; i < done.length; i++) if (rows.holds[i] === 1) moved.push(i);
  db.deleteFiles(moved.map((i) => done[i].move.from));
  db.upsertEach(
    (function* () {
      for (const i of moved) {
        const { move, etag, defaultSse } = done[i];
        yield {
          path: move.to,
          inode: move.inode,
          size: move.size,
          mtime: rows.mtime[i],
          synced: now,
          etag: etag ?? rows.etag.get(i) ?? null,
          // A copy finished by an earlier run (its result read back from the journal) tells no encryption.
          defaultSse: (etag !== undefined && defaultSse) || undefined,
        };
      }
    })(),
    moved.reduce((sum, i) => sum + rowBytes(done[i].move.to), 0),
  );
}

/**
 * For each done move, whether the row at its old path still holds its file (same inode and size), that
 * row's mtime, and its ETag where the copy reported none. A query each for a few moves, one walk over the
 * table for many (a folder of a million).
 */
function recordedRows(db: StateDb, done: readonly MoveOutcome[]) {
  const holds = new Uint8Array(done.length);
  const mtime = new Float64Array(done.length);
  const etag = new Map<number, string | null | undefined>();
  const take = (i: number, row: FileRecord) => {
    const { move } = done[i];
    if (row.inode !== move.inode || row.size !== move.size) return;
    holds[i] = 1;
    mtime[i] = row.mtime;
    if (done[i].etag === undefined) etag.set(i, row.etag);
  };
  if (done.length < 1000 || done.length * 20 < db.fileCount()) {
    done.forEach((o, i) => {
      const row = db.getFile(o.move.from);
      if (row) take(i, row);
    });
  } else {
    // The moves in old-path order beside the table in its own (the same) order: no map of a million paths.
    const order = inFromPathOrder(done);
    let k = 0;
    for (const row of db.eachFile()) {
      while (k < order.length && comparePaths(done[order[k]].move.from, row.path) < 0) k++;
      if (k === order.length) break;
      if (done[order[k]].move.from === row.path) take(order[k], row);
    }
  }
  return { holds, mtime, etag };
}

/** Indices of `done` ordered by old path: as they come when they already are (a folder renamed keeps its order). */
function inFromPathOrder(done: readonly MoveOutcome[]): Int32Array {
  const order = Int32Array.from(done, (_, i) => i);
  for (let i = 1; i < done.length; i++) {
    if (comparePaths(done[i - 1].move.from, done[i].move.from) > 0)
      return order.sort((a, b) => comparePaths(done[a].move.from, done[b].move.from));
  }
  return order;
}

/** Why a journal cannot be finished by this run, or null when it can. */
function foreignJournal(header: JournalHeader, target: Target, legacy: boolean): string | null {
  const where = `s3://${header.bucket}/${header.prefix}`;
  if (header.bucket !== target.bucket || normalizePrefix(header.prefix) !== normalizePrefix(target.prefix))
    return `An interrupted move batch for ${where} was found and left alone.`;
  if (legacy) return null;
  if (header.endpoint !== (target.endpointUrl ?? null))
    return `An interrupted move batch for ${where} at ${header.endpoint ?? "AWS"} was found and left alone (this target is at ${target.endpointUrl ?? "AWS"}).`;
  if (header.profile !== (target.profile ?? null))
    return `An interrupted move batch for ${where} with profile ${header.profile ?? "(default)"} was found and left alone (this target uses ${target.profile ?? "the default profile"}).`;
  return null;
}

export interface ResumeResult {
  /** Run id of a journal found and left alone: its temporary keys are not this run's to remove. */
  leftAlone?: string;
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
): Promise<ResumeResult> {
  const loaded = await MoveJournal.load(target.localPath, { readOnly: context.dryRun });
  if (!loaded) return {};
  const { journal, moves, done } = loaded;
  const { header } = journal;
  const foreign = foreignJournal(header, target, loaded.schedule !== undefined);
  if (foreign) {
    context.notice(foreign, "warning");
    return { leftAlone: header.runId };
  }
  const schedule: MoveSchedule =
    loaded.schedule ?? scheduleMoves(moves, tempKeyFor(normalizePrefix(header.prefix), header.runId));
  if (!loaded.schedule && (header.scheduler !== SCHEDULER_VERSION || stepCount(schedule) !== header.steps)) {
    context.notice(
      `An interrupted move batch (${header.runId}) was written by another version of S3 Smart Sync and was left alone; ` +
        `finish it with that version, or remove ${journal.file} to let aws upload what it would have moved.`,
      "warning",
    );
    return { leftAlone: header.runId };
  }
  if (context.dryRun) {
    context.notice(`An interrupted batch of ${moves.length} move(s) will be finished by the next run.`);
    return {};
  }
  context.notice(`Finishing ${moves.length} move(s) interrupted in an earlier run (${header.runId}).`);
  const result = await executeMoves({
    gateway,
    moves,
    schedule,
    journal,
    alreadyDone: done,
    concurrency: target.concurrency,
    signal: context.signal,
  });
  applyMovesToDb(db, result.outcomes);
  await db.save();
  if (result.error !== undefined) throw result.error;
  await journal.remove();
  return {};
}
