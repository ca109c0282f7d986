// One target, end to end: the stages of DESIGN.md "The run", in order. Each stage is its own module under
// run/ and takes what the ones before it returned; this function only lists them and decides what the DB
// may keep when one of them fails.
import { SmartSyncError } from "./errors";
import { resumeMoveBatch } from "./move-batch";
import { failReport, type TargetReport } from "./report";
import { awsStage, runFilters } from "./run/aws-stage";
import { connectBucket } from "./run/connect-bucket";
import { createRunContext, type RunContext, type RunOptions } from "./run/context";
import { guardDeletes } from "./run/guard-deletes";
import { guardVolume } from "./run/guard-volume";
import { invalidateStage } from "./run/invalidate-stage";
import { moveStage } from "./run/move-stage";
import { openVolume, type OpenedVolume } from "./run/open-volume";
import { planStage } from "./run/plan-stage";
import { previewStage } from "./run/preview-stage";
import { proveStage } from "./run/prove-stage";
import { recordRunMeta, recordStage } from "./run/record-stage";
import { scanStage } from "./run/scan-stage";
import { verifyStage } from "./run/verify-stage";
import type { Target } from "./types";

export type { RunOptions };

export async function runTarget(target: Target, options: RunOptions): Promise<TargetReport> {
  const ctx = createRunContext(target, options);
  let volume: OpenedVolume | undefined;
  try {
    volume = await openVolume(ctx); //                  mounted, readable; lock; state DB; which volume
    const bucket = await connectBucket(ctx); //         credentials and bucket; aws CLI looked up meanwhile
    const scan = await scanStage(ctx); //               every file aws would upload
    guardVolume(ctx, volume, scan, bucket); //          the recorded volume, not an empty mount point
    if (!volume.baseline) {
      ctx.phase("resume"); //                           finish a batch an interrupted run journaled
      await resumeMoveBatch(target, volume.db, bucket.gateway, {
        dryRun: ctx.dryRun,
        notice: ctx.notice,
        signal: options.signal,
      });
    }
    const planned = planStage(ctx, volume, scan); //    moves, new, modified, deleted
    const listed = await verifyStage(ctx, volume, bucket, planned); // against the bucket's listing
    const verified = await proveStage(ctx, volume, bucket, scan, listed); // content proof where inodes cannot tell
    guardDeletes(ctx, volume, scan, verified, runFilters(ctx, scan, verified.plan.archived)); // deletion cap
    const aws = await bucket.aws;
    if (ctx.dryRun) {
      await previewStage(ctx, aws, scan, verified); // what would happen, nothing changed
      return finish(ctx);
    }
    const moved = await moveStage(ctx, volume, bucket, verified); // server-side copy + delete, journaled
    const settled = await invalidateStage(ctx, bucket, verified, moved); // keys left holding other bytes go
    let result;
    if (aws) {
      try {
        result = await awsStage(ctx, aws, runFilters(ctx, scan, moved.pending), { dryRun: false, lock: volume.lock });
      } catch (error) {
        // What aws did before failing is unknown: the DB keeps the old state plus the executed moves.
        await volume.db.save();
        throw error;
      }
    }
    await recordStage(ctx, volume, bucket, scan, settled, result); // what the DB may believe
    return finish(ctx);
  } catch (error) {
    failReport(ctx.report, error);
    // A first run that failed leaves no DB behind; an existing one records the failure. A refused volume
    // may not be the right one: nothing is written to it, not even the log.
    if (volume && !isRefusal(error)) {
      ctx.openLog();
      if (!ctx.dryRun && !volume.db.isNew) await saveFailure(ctx, volume);
    }
    return finish(ctx);
  } finally {
    volume?.db.close();
    await volume?.lock?.release();
    ctx.emit({ type: "target-end", target: target.name, report: ctx.report });
    await ctx.log?.close();
  }
}

function finish(ctx: RunContext): TargetReport {
  ctx.report.durationMs = ctx.now().getTime() - ctx.startedAt.getTime();
  return ctx.report;
}

function isRefusal(error: unknown): boolean {
  return error instanceof SmartSyncError && (error.code === "VOLUME_REFUSED" || error.code === "DELETES_REFUSED");
}

/** The DB holds the old state plus executed moves; a failed save must not hide the run's own error. */
async function saveFailure(ctx: RunContext, volume: OpenedVolume): Promise<void> {
  try {
    recordRunMeta(volume.db, ctx.report, ctx.startedAt);
    await volume.db.save();
  } catch {
    // The volume may be gone; the report already says what failed.
  }
}
