// Executes a move schedule: copies wave by wave through one bounded pool, journal barrier between waves,
// then the deletes of old keys whose copies are confirmed. Like rclone's processError: a failure of one
// move (source changed, missing, archived) fails that move and the moves that depend on it; a failure of
// the bucket or the network stops the batch cleanly, journal flushed, for the next run to finish.
import { SmartSyncError } from "./errors";
import type { MoveJournal, StepOutcome } from "./journal";
import type { CopyStep, MoveSchedule } from "./move-order";
import type { PlannedMove } from "./planner";
import { ObjectArchivedError, SourceChangedError, SourceMissingError, type BucketGateway } from "./s3";

export const DEFAULT_MOVE_CONCURRENCY = 16;

export interface MoveOutcome {
  move: PlannedMove;
  status: "done" | "failed" | "blocked";
  /** ETag of the object at the new key. */
  etag?: string;
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
  gateway: Pick<BucketGateway, "copyObject" | "deleteObject">;
  moves: readonly PlannedMove[];
  schedule: MoveSchedule;
  journal: MoveJournal;
  /** Steps an earlier, interrupted run already finished. */
  alreadyDone?: ReadonlyMap<number, StepOutcome>;
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

export interface MoveBatchResult {
  outcomes: MoveOutcome[];
  /** Set when the batch stopped early (bucket or network unusable, or aborted); the journal stays. */
  error?: unknown;
  /** True when every step is finished and the journal can go. */
  complete: boolean;
}

export async function executeMoves(options: ExecuteMovesOptions): Promise<MoveBatchResult> {
  const { gateway, moves, schedule, journal, signal } = options;
  const concurrency = options.concurrency ?? DEFAULT_MOVE_CONCURRENCY;
  const done = new Map<number, StepOutcome>(options.alreadyDone ?? []);
  const failed = new Map<number, string>();
  const outcomes: MoveOutcome[] = moves.map((move) => ({ move, status: "blocked" }));
  let fatal: unknown;
  const stopped = () => fatal !== undefined || signal?.aborted === true;
  const progress = { done: 0, failed: 0, total: moves.length };
  const report = (last?: MoveOutcome) => options.onProgress?.({ ...progress, last });

  const finishCopy = (step: CopyStep, etag: string | undefined, error?: unknown) => {
    const outcome = step.moveIndex === null ? undefined : outcomes[step.moveIndex];
    if (error === undefined) {
      done.set(step.id, { step: step.id, ok: true, etag });
      if (outcome) {
        outcome.status = "done";
        outcome.etag = etag;
        progress.done++;
        report(outcome);
      }
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    failed.set(step.id, message);
    if (outcome) {
      outcome.status = "failed";
      outcome.error = message;
      outcome.archived = error instanceof ObjectArchivedError;
      progress.failed++;
      report(outcome);
    }
  };

  const runCopy = async (step: CopyStep) => {
    const previous = done.get(step.id);
    if (previous) return finishCopy(step, previous.etag);
    const blocker = step.after.find((id) => !done.has(id));
    if (blocker !== undefined) {
      // Copying now could overwrite bytes another failed move still needs: leave both to aws.
      failed.set(step.id, `waits for a move that did not complete`);
      if (step.moveIndex !== null) outcomes[step.moveIndex].error = failed.get(step.id);
      return;
    }
    const ifMatchEtag = step.etagFromStep !== undefined ? done.get(step.etagFromStep)?.etag : step.ifMatchEtag;
    try {
      const result = await gateway.copyObject(step.srcKey, step.dstKey, {
        ifMatchEtag: ifMatchEtag ?? "",
        size: step.size,
        storageClass: step.storageClass,
        signal,
      });
      journal.record({ step: step.id, ok: true, etag: result.etag });
      finishCopy(step, result.etag);
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

  if (!stopped()) {
    const deletable = schedule.deletes.filter((d) => done.has(d.afterCopy) && !done.has(d.id));
    await pool(
      deletable,
      concurrency,
      async (step) => {
        try {
          await gateway.deleteObject(step.key, { signal });
          journal.record({ step: step.id, ok: true });
          done.set(step.id, { step: step.id, ok: true });
        } catch (error) {
          const copy = schedule.waves.flat().find((c) => c.id === step.afterCopy);
          const outcome = copy && copy.moveIndex !== null ? outcomes[copy.moveIndex] : undefined;
          if (outcome) outcome.deleteFailed = error instanceof Error ? error.message : String(error);
          if (!isPerObjectError(error)) fatal ??= error;
        }
      },
      stopped,
    );
    await journal.flush();
  }

  if (fatal === undefined && signal?.aborted)
    fatal = new SmartSyncError("ABORTED", "Stopped before all moves were made.", { cause: signal.reason });
  return { outcomes, error: fatal, complete: fatal === undefined };
}
