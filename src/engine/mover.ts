// Executes a move schedule: copies wave by wave, journal barrier between waves, then the old keys whose
// copies are confirmed go in DeleteObjects batches of up to 1,000 keys. Like rclone's processError: a
// failure of one move (source changed, missing, archived) fails that move and the moves that depend on it;
// a failure of the bucket or the network stops the batch cleanly, journal flushed, for the next run to
// finish. Requests are bounded by the gateway's one limit; `concurrency` only bounds the moves in progress.
import { SmartSyncError } from "./errors";
import type { MoveJournal, StepOutcome } from "./journal";
import { stepCount, type CopyStep, type MoveSchedule } from "./move-order";
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
  // Step state in arrays indexed by step id, not maps of objects: a folder rename of a million files has
  // two million steps, and this bookkeeping lives for the whole batch.
  const steps = new StepState(schedule);
  for (const outcome of options.alreadyDone?.values() ?? [])
    steps.succeed(outcome.step, outcome.etag, outcome.defaultSse === true);
  // The fields a done move gets, named here: one shape for a million outcomes.
  const outcomes: MoveOutcome[] = moves.map((move) => ({
    move,
    status: "blocked",
    etag: undefined,
    defaultSse: undefined,
  }));
  let fatal: unknown;
  const stopped = () => fatal !== undefined || signal?.aborted === true;
  const progress = { done: 0, failed: 0, total: moves.length };
  const report = (last?: MoveOutcome) => options.onProgress?.({ ...progress, last });

  const finishCopy = (step: CopyStep, etag: string | undefined, error?: unknown, defaultSse = false) => {
    const outcome = step.moveIndex === null ? undefined : outcomes[step.moveIndex];
    if (error === undefined) {
      steps.succeed(step.id, etag, defaultSse);
      if (outcome) {
        outcome.status = "done";
        outcome.etag = etag;
        outcome.defaultSse = defaultSse;
        progress.done++;
        report(outcome);
      }
      return;
    }
    if (outcome) {
      outcome.status = "failed";
      outcome.error = error instanceof Error ? error.message : String(error);
      outcome.archived = error instanceof ObjectArchivedError;
      progress.failed++;
      report(outcome);
    }
  };

  const runCopy = async (step: CopyStep) => {
    if (steps.isDone(step.id)) return finishCopy(step, steps.etag(step.id), undefined, steps.defaultSse(step.id));
    if (step.after.some((id) => !steps.isDone(id))) {
      // Copying now could overwrite bytes another failed move still needs: leave both to aws.
      if (step.moveIndex !== null) outcomes[step.moveIndex].error = "waits for a move that did not complete";
      return;
    }
    const ifMatchEtag = step.etagFromStep !== undefined ? steps.etag(step.etagFromStep) : step.ifMatchEtag;
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
      // A single-part copy keeps the ETag: the listing's string then serves (a million copies, a million strings).
      const etag = result.etag === ifMatchEtag ? ifMatchEtag : result.etag;
      // `defaultSse` only when true (JSON leaves out undefined): the line stays as short as before otherwise.
      journal.record({ step: step.id, ok: true, etag, defaultSse: result.defaultSse || undefined });
      finishCopy(step, etag, undefined, result.defaultSse);
    } catch (error) {
      if (isPerObjectError(error)) finishCopy(step, undefined, error);
      else fatal ??= error;
    }
  };

  for (const wave of schedule.waves) {
    await pool(wave, concurrency, (id) => runCopy(schedule.copy(id)), stopped);
    // Barrier: the next wave may overwrite sources of this one, so this one must be on disk first.
    await journal.flush();
    if (stopped()) break;
  }

  if (!stopped()) {
    const deletable: number[] = [];
    for (let index = 0; index < schedule.deletes; index++) {
      const d = schedule.delete(index);
      if (steps.isDone(d.afterCopy) && !steps.isDone(d.id)) deletable.push(index);
    }
    const deleteBatch = async (indices: number[]) => {
      const batch = indices.map((index) => schedule.delete(index));
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
            steps.succeed(step.id);
            continue;
          }
          // Reported, not fatal: aws --delete or the next run removes the key.
          const moveIndex = schedule.moveIndexOf(step.afterCopy);
          const outcome = moveIndex === null ? undefined : outcomes[moveIndex];
          if (outcome?.move.fromKey === step.key) outcome.deleteFailed = problem;
        }
      } catch (error) {
        fatal ??= error;
      }
    };
    await pool(chunks(deletable, DELETE_BATCH), concurrency, deleteBatch, stopped);
    await journal.flush();
  }

  if (fatal === undefined && signal?.aborted)
    fatal = new SmartSyncError("ABORTED", "Stopped before all moves were made.", { cause: signal.reason });
  return { outcomes, error: fatal, complete: fatal === undefined, leftoverTempKeys: steps.leftoverTempKeys() };
}

/**
 * Which steps succeeded, each copy's ETag and whether it left the default encryption, and which move each copy
 * makes (null for a cycle's opener).
 */
class StepState {
  private readonly done: Uint8Array;
  private readonly defaultEncryption: Uint8Array;
  private readonly etags: (string | undefined)[] = [];
  /** Copies that open cycles (their temporary keys). */
  private readonly temps: number[] = [];

  constructor(private readonly schedule: MoveSchedule) {
    this.done = new Uint8Array(stepCount(schedule));
    this.defaultEncryption = new Uint8Array(schedule.copies);
    // Filled, not sized: a sparse write far past the end would turn the array into a dictionary.
    for (let id = 0; id < schedule.copies; id++) this.etags.push(undefined);
    for (let id = 0; id < schedule.copies; id++) if (schedule.moveIndexOf(id) === null) this.temps.push(id);
  }

  succeed(id: number, etag?: string, defaultSse = false): void {
    if (id < 0 || id >= this.done.length) return; // not a step of this schedule
    this.done[id] = 1;
    if (etag !== undefined) this.etags[id] = etag;
    if (defaultSse && id < this.defaultEncryption.length) this.defaultEncryption[id] = 1;
  }

  defaultSse(id: number): boolean {
    return this.defaultEncryption[id] === 1;
  }

  isDone(id: number): boolean {
    return this.done[id] === 1;
  }

  etag(id: number): string | undefined {
    return this.etags[id];
  }

  /** Temporary keys written and not deleted: their cycle stopped half-way. */
  leftoverTempKeys(): string[] {
    if (this.temps.length === 0) return [];
    const deleted = new Set<string>();
    for (let index = 0; index < this.schedule.deletes; index++) {
      const d = this.schedule.delete(index);
      if (this.isDone(d.id)) deleted.add(d.key);
    }
    return this.temps
      .filter((id) => this.isDone(id))
      .map((id) => this.schedule.copy(id).dstKey)
      .filter((key) => !deleted.has(key));
  }
}
