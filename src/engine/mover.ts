// Executes a move schedule: copies wave by wave, journal barrier between waves, then the old keys whose
// copies are confirmed go in DeleteObjects batches of up to 1,000 keys. Like rclone's processError: a
// failure of one move (source changed, missing, archived) fails that move and the moves that depend on it;
// a failure of the bucket or the network stops the batch cleanly, journal flushed, for the next run to
// finish. Requests are bounded by the gateway's one limit; `concurrency` only bounds the moves in progress.
import { SmartSyncError } from "./errors";
import type { MoveJournal, StepOutcome } from "./journal";
import type { CopyStep, DeleteStep, MoveSchedule } from "./move-order";
import type { PlannedMove } from "./planner";
import {
  DEFAULT_CONCURRENCY,
  DELETE_BATCH,
  ObjectArchivedError,
  SourceChangedError,
  SourceMissingError,
  type BucketGateway,
} from "./s3";

export interface MoveOutcome {
  move: PlannedMove;
  status: "done" | "failed" | "blocked";
  /** ETag of the object at the new key. */
  etag?: string;
  /** That object was copied without encryption settings: it has the bucket's default encryption. */
  defaultSse?: boolean;
  /** The old key could not be deleted (aws --delete or the next run removes it). */
  deleteFailed?: string;
  error?: string;
  archived?: boolean;
}

export interface MoverProgress {
  done: number;
  failed: number;
  total: number;
  last?: MoveOutcome;
}

export interface ExecuteMovesOptions {
  gateway: Pick<BucketGateway, "copyObject" | "deleteObjects">;
  moves: readonly PlannedMove[];
  schedule: MoveSchedule;
  journal: MoveJournal;
  /** Steps an earlier, interrupted run already finished. */
  alreadyDone?: ReadonlyMap<number, StepOutcome>;
  /** Moves in progress at once (their requests still share the gateway's limit). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (progress: MoverProgress) => void;
}

/** Errors that concern one object; anything else means the bucket or network is unusable. */
function isPerObjectError(error: unknown): boolean {
  return (
    error instanceof SourceChangedError || error instanceof SourceMissingError || error instanceof ObjectArchivedError
  );
}

/** Runs `work` over `items` with at most `limit` in flight; stops starting new items once `stop()` is true. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>, stop: () => boolean) {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export interface MoveBatchResult {
  outcomes: MoveOutcome[];
  /** Set when the batch stopped early (bucket or network unusable, or aborted); the journal stays. */
  error?: unknown;
  /** True when every step is finished and the journal can go. */
  complete: boolean;
  /** Temporary keys written and still there: their cycle did not complete (or their delete failed). */
  leftoverTempKeys: string[];
}

export async function executeMoves(options: ExecuteMovesOptions): Promise<MoveBatchResult> {
  const { gateway, moves, schedule, journal, signal } = options;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const done = new Map<number, StepOutcome>(options.alreadyDone ?? []);
  const failed = new Set<number>();
  const outcomes: MoveOutcome[] = moves.map((move) => ({ move, status: "blocked" }));
  let fatal: unknown;
  const stopped = () => fatal !== undefined || signal?.aborted === true;
  const progress = { done: 0, failed: 0, total: moves.length };
  const report = (last?: MoveOutcome) => options.onProgress?.({ ...progress, last });

  const finishCopy = (step: CopyStep, etag: string | undefined, error?: unknown, defaultSse = false) => {
    const outcome = step.moveIndex === null ? undefined : outcomes[step.moveIndex];
    if (error === undefined) {
      done.set(step.id, { step: step.id, ok: true, etag });
      if (outcome) {
        outcome.status = "done";
        outcome.etag = etag;
        outcome.defaultSse = defaultSse;
        progress.done++;
        report(outcome);
      }
      return;
    }
    failed.add(step.id);
    if (outcome) {
      outcome.status = "failed";
      outcome.error = error instanceof Error ? error.message : String(error);
      outcome.archived = error instanceof ObjectArchivedError;
      progress.failed++;
      report(outcome);
    }
  };

  const runCopy = async (step: CopyStep) => {
    const previous = done.get(step.id);
    if (previous) return finishCopy(step, previous.etag);
    if (step.after.some((id) => !done.has(id))) {
      // Copying now could overwrite bytes another failed move still needs: leave both to aws.
      failed.add(step.id);
      if (step.moveIndex !== null) outcomes[step.moveIndex].error = "waits for a move that did not complete";
      return;
    }
    const ifMatchEtag = step.etagFromStep !== undefined ? done.get(step.etagFromStep)?.etag : step.ifMatchEtag;
    try {
      // A cycle goes through a temporary key: the type changes (if at all) between the move's own names.
      const move = step.moveIndex === null ? undefined : moves[step.moveIndex];
      const result = await gateway.copyObject(step.srcKey, step.dstKey, {
        ifMatchEtag: ifMatchEtag ?? "",
        size: step.size,
        storageClass: step.storageClass,
        typeNames: move ? { from: move.fromKey, to: move.toKey } : null,
        defaultSse: step.defaultSse,
        signal,
      });
      journal.record({ step: step.id, ok: true, etag: result.etag });
      finishCopy(step, result.etag, undefined, result.defaultSse);
    } catch (error) {
      if (isPerObjectError(error)) finishCopy(step, undefined, error);
      else fatal ??= error;
    }
  };

  for (const wave of schedule.waves) {
    await pool(wave, concurrency, runCopy, stopped);
    // Barrier: the next wave may overwrite sources of this one, so this one must be on disk first.
    await journal.flush();
    if (stopped()) break;
  }

  const copies = new Map(schedule.waves.flat().map((c) => [c.id, c]));
  if (!stopped()) {
    const deletable = schedule.deletes.filter((d) => done.has(d.afterCopy) && !done.has(d.id));
    const deleteBatch = async (batch: DeleteStep[]) => {
      try {
        const failures = new Map(
          (
            await gateway.deleteObjects(
              batch.map((d) => d.key),
              { signal },
            )
          ).map((f) => [f.key, f.message]),
        );
        for (const step of batch) {
          const problem = failures.get(step.key);
          if (problem === undefined) {
            journal.record({ step: step.id, ok: true });
            done.set(step.id, { step: step.id, ok: true });
            continue;
          }
          // Reported, not fatal: aws --delete or the next run removes the key.
          const moveIndex = copies.get(step.afterCopy)?.moveIndex;
          const outcome = moveIndex === null || moveIndex === undefined ? undefined : outcomes[moveIndex];
          if (outcome?.move.fromKey === step.key) outcome.deleteFailed = problem;
        }
      } catch (error) {
        fatal ??= error;
      }
    };
    await pool(chunks(deletable, DELETE_BATCH), concurrency, deleteBatch, stopped);
    await journal.flush();
  }

  // A temporary key written and not deleted stays in the bucket (its cycle stopped half-way): say which.
  const deletedKeys = new Set(schedule.deletes.filter((d) => done.has(d.id)).map((d) => d.key));
  const leftoverTempKeys = [...copies.values()]
    .filter((c) => c.moveIndex === null && done.has(c.id) && !deletedKeys.has(c.dstKey))
    .map((c) => c.dstKey);

  if (fatal === undefined && signal?.aborted)
    fatal = new SmartSyncError("ABORTED", "Stopped before all moves were made.", { cause: signal.reason });
  return { outcomes, error: fatal, complete: fatal === undefined, leftoverTempKeys };
}
