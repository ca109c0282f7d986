// Stage 8, move: the verified moves as one journaled batch (copy, then delete the old keys), what the DB
// learns from it, and the moves that wait for a restore.
import { recordPendingRestores } from "../archive";
import { applyMovesToDb, runMoveBatch } from "../move-batch";
import type { MoveOutcome } from "../mover";
import type { PlannedMove } from "../planner";
import { moveSummary } from "../report";
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
  doubtful?: ReadonlySet<string>;
  /** Path → ETag of the object a completed content-proven move or copy left at its key. */
  proven?: ReadonlyMap<string, string>;
}

export async function moveStage(
  ctx: RunContext,
  volume: OpenedVolume,
  bucket: ConnectedBucket,
  verified: VerifiedRun,
): Promise<MovedRun> {
  const { target, report } = ctx;
  const { db } = volume;
  const { plan } = verified;
  db.setTarget(target.bucket, ctx.prefix);
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
    applyMovesToDb(db, outcomes, ctx.now().getTime() / 1000);
    await db.save();
    if (batch.complete) await batch.journal.remove();
    for (const o of outcomes)
      report.moves.list.push(moveSummary(o.move, o.archived ? "pending-restore" : o.status, o.error));
    report.moves.done = outcomes.filter((o) => o.status === "done").length;
    report.moves.failed = outcomes.filter((o) => o.status !== "done" && !o.archived).length;
    report.bytesSaved = outcomes.filter((o) => o.status === "done").reduce((sum, o) => sum + o.move.size, 0);
    // An Intelligent-Tiering object can turn out archived only when copied: it waits like the others.
    for (const o of outcomes) if (o.archived) pending.push({ ...o.move, state: "archived" });
    stopped = batch.error;
  }
  recordPendingRestores(db, pending);
  report.moves.pendingRestore = pending.length;
  if (stopped !== undefined) throw stopped;
  return { outcomes, pending, leftoverTempKeys, doubtful: new Set(plan.unsure.map((f) => f.path)) };
}
