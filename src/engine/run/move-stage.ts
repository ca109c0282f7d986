// Stage 8, move: the verified moves as one journaled batch (copy, then delete the old keys), what the DB
// learns from it, and the moves that wait for a restore.
import { recordPendingRestores } from "../archive";
import { COLLECT_FROM, collectGarbage } from "../heap";
import { applyMovesToDb, runMoveBatch } from "../move-batch";
import type { MoveOutcome } from "../mover";
import type { PlannedMove } from "../planner";
import { ObjectArchivedError, SourceChangedError, SourceMissingError } from "../s3";
import type { ScannedFile } from "../types";
import type { ConnectedBucket } from "./connect-bucket";
import type { RunContext } from "./context";
import type { OpenedVolume } from "./open-volume";
import type { VerifiedRun } from "./verify-stage";

export interface MovedRun {
  outcomes: MoveOutcome[];
  /** Moves waiting for an archived object to be restored: aws leaves both of their paths alone. */
  pending: PlannedMove[];
  /** Temporary keys of this batch still in the bucket (a cycle stopped half-way). */
  leftoverTempKeys: string[];
  /**
   * Paths whose key may hold other bytes and could not be deleted before aws (the invalidate stage): aws
   * may keep that object, so the DB does not record them as synced.
   */
  notSynced?: string[];
  /** Paths whose key may have held other bytes before this run (the plan's `unsure`). */
  doubtful?: { has(path: string): boolean };
  /** Destinations of the server-side copies made: their keys hold their files' proven bytes. */
  copied?: string[];
  /** Path → ETag of the object a completed content-proven move or copy left at its key. */
  proven?: ReadonlyMap<string, string>;
}

/**
 * Server-side copies from objects that stay, conditional on the ETag the proof was made against. Their
 * destinations held nothing and no move touches their sources, so they need no order and no journal: a
 * copy interrupted leaves either nothing or the proven bytes at its key.
 */
async function runCopies(bucket: ConnectedBucket, copies: readonly PlannedMove[], signal?: AbortSignal) {
  return Promise.all(
    copies.map(async (move): Promise<MoveOutcome> => {
      try {
        const { etag, defaultSse } = await bucket.gateway.copyObject(move.fromKey, move.toKey, {
          ifMatchEtag: move.etag ?? "",
          size: move.size,
          storageClass: move.storageClass,
          defaultSse: move.defaultSse,
          signal,
        });
        return { move, status: "done", etag, defaultSse };
      } catch (error) {
        if (!isPerObjectError(error)) throw error;
        return { move, status: "failed", error: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
}

function isPerObjectError(error: unknown): boolean {
  return (
    error instanceof SourceChangedError || error instanceof SourceMissingError || error instanceof ObjectArchivedError
  );
}

/** A proven move's old row (a file recorded there is gone) goes; the file's row is recorded with its object's ETag. */
function applyProvenToDb(db: OpenedVolume["db"], outcomes: readonly MoveOutcome[], now: number): void {
  if (outcomes.length === 0) return;
  db.deleteFiles(outcomes.filter((o) => !o.move.copy).map((o) => o.move.from));
  db.upsertFiles(
    outcomes.map(({ move, etag, defaultSse }) => ({
      path: move.to,
      inode: move.inode,
      size: move.size,
      mtime: move.mtime,
      synced: now,
      etag: etag ?? move.etag ?? null,
      defaultSse: (etag !== undefined && defaultSse) || undefined,
    })),
  );
}

export async function moveStage(
  ctx: RunContext,
  volume: OpenedVolume,
  bucket: ConnectedBucket,
  verified: VerifiedRun,
  /** Copies from other targets, made by the batch before any target ran (cross-target-stage.ts). */
  crossCopies: readonly MoveOutcome[] = [],
): Promise<MovedRun> {
  const { target, report } = ctx;
  const { db } = volume;
  const { plan } = verified;
  // Only a DB that describes no target or another one learns this one: the DB's memory, let go since the plan
  // stage, is read again once the batch is done, not before a million moves are scheduled.
  if (volume.baseline) db.setTarget(target.bucket, ctx.prefix);
  const pending: PlannedMove[] = [...plan.archived];
  let outcomes: MoveOutcome[] = [];
  let leftoverTempKeys: string[] = [];
  let stopped: unknown;
  if (plan.moves.length > 0) {
    ctx.phase("move");
    const batch = await runMoveBatch(target, bucket.gateway, plan.moves, {
      signal: ctx.options.signal,
      onProgress: (p) => {
        if (p.last) ctx.emit({ type: "move", target: target.name, outcome: p.last, ...p, dryRun: false });
      },
    });
    outcomes = batch.outcomes;
    leftoverTempKeys = batch.leftoverTempKeys;
    // The DB, let go since the plan, is read again here (its file, about 140 MiB at a million rows): first
    // the garbage of a million requests goes, or the file sits on top of it.
    if (outcomes.length >= COLLECT_FROM) collectGarbage();
    applyMovesToDb(db, outcomes, ctx.now().getTime() / 1000);
    await db.save();
    if (batch.complete) await batch.journal.remove();
    ctx.reportOutcomes(outcomes);
    report.moves.done = outcomes.filter((o) => o.status === "done").length;
    report.moves.failed = outcomes.filter((o) => o.status !== "done" && !o.archived).length;
    report.bytesSaved = outcomes.filter((o) => o.status === "done").reduce((sum, o) => sum + o.move.size, 0);
    // An Intelligent-Tiering object can turn out archived only when copied: it waits like the others.
    for (const o of outcomes) if (o.archived) pending.push({ ...o.move, state: "archived" });
    stopped = batch.error;
  }
  const copies: MoveOutcome[] = [...crossCopies];
  if (stopped === undefined && (plan.copies ?? []).length > 0)
    copies.push(...(await runCopies(bucket, plan.copies ?? [], ctx.options.signal)));
  if (copies.length > 0) {
    ctx.reportOutcomes(copies);
    report.moves.copied = copies.filter((o) => o.status === "done").length;
    report.bytesSaved += copies.filter((o) => o.status === "done").reduce((sum, o) => sum + o.move.size, 0);
  }
  // Moves and copies proven by content: their files' rows (the inode rule above only moves known rows).
  const proven = [...outcomes, ...copies].filter(
    (o) => o.status === "done" && (o.move.evidence === "hash" || o.move.evidence === "cross-target"),
  );
  applyProvenToDb(db, proven, ctx.now().getTime() / 1000);
  if (proven.length > 0) await db.save();
  recordPendingRestores(db, pending);
  report.moves.pendingRestore = pending.length;
  if (stopped !== undefined) throw stopped;
  return {
    outcomes,
    pending,
    leftoverTempKeys,
    doubtful: pathsOf(plan.unsure),
    copied: copies.filter((o) => o.status === "done").map((o) => o.move.to),
    proven: new Map(proven.map((o) => [o.move.to, o.etag ?? o.move.etag ?? ""])),
  };
}

/** The files' paths as a set, built on the first question: the recorder asks only about files whose inode changed. */
function pathsOf(files: readonly ScannedFile[]): { has(path: string): boolean } {
  let paths: Set<string> | undefined;
  return { has: (path) => (paths ??= new Set(files.map((f) => f.path))).has(path) };
}
