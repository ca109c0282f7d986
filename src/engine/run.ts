// One target, end to end: the stages of DESIGN.md "The run", in order. Each stage is its own module under
// run/ and takes what the ones before it returned; this file only lists them and decides what the DB may
// keep when one of them fails. A batch prepares every target (up to a proven plan) before it executes any,
// so that a file moved from one target to another can be copied between them first (batch.ts).
import type { AwsCliInfo, AwsSyncResult } from "./aws-cli";
import { SmartSyncError } from "./errors";
import { COLLECT_FROM, collectGarbage } from "./heap";
import { resumeMoveBatch } from "./move-batch";
import type { MoveOutcome } from "./mover";
import { addAwsToReport, failReport, type TargetReport } from "./report";
import { awsStage, runFilters } from "./run/aws-stage";
import { connectBucket, type ConnectedBucket } from "./run/connect-bucket";
import { createRunContext, type RunContext, type RunOptions } from "./run/context";
import { combineAwsRuns, followUpPaths, narrowFollowUp, planEarlyAws, type EarlyAws } from "./run/early-aws";
import { guardDeletes } from "./run/guard-deletes";
import { guardVolume } from "./run/guard-volume";
import { invalidateStage } from "./run/invalidate-stage";
import { moveStage, type MovedRun } from "./run/move-stage";
import { openVolume, type OpenedVolume } from "./run/open-volume";
import { planStage, withoutRecords } from "./run/plan-stage";
import { previewStage } from "./run/preview-stage";
import { proveStage, recycledAfterMs } from "./run/prove-stage";
import { recordRunMeta, recordStage } from "./run/record-stage";
import { scanStage, type VolumeScan } from "./run/scan-stage";
import { verifyStage, withoutListing, type VerifiedRun } from "./run/verify-stage";
import type { Target } from "./types";

export type { RunOptions };

/** A target planned and proven, its volume locked and its DB open, nothing changed yet. */
export interface PreparedRun {
  readonly ctx: RunContext;
  readonly volume: OpenedVolume;
  readonly bucket: ConnectedBucket;
  readonly scan: VolumeScan;
  verified: VerifiedRun;
  /** Copies from other targets of the batch, made (or planned, in a dry run) before this target runs. */
  crossCopies: MoveOutcome[];
}

export async function runTarget(target: Target, options: RunOptions): Promise<TargetReport> {
  const prepared = await prepareTarget(target, options);
  return "report" in prepared ? prepared.report : executeTarget(prepared);
}

/** Stages 1–6: everything that reads. A target that cannot run ends here with its report. */
export async function prepareTarget(
  target: Target,
  options: RunOptions,
): Promise<PreparedRun | { report: TargetReport }> {
  const ctx = createRunContext(target, options);
  let volume: OpenedVolume | undefined;
  try {
    volume = await openVolume(ctx); //                  mounted, readable; lock; state DB; which volume
    const bucket = await connectBucket(ctx); //         credentials and bucket; aws CLI looked up meanwhile
    const scan = await scanStage(ctx, recycledAfterMs(volume)); // every file aws would upload
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
    return { ctx, volume, bucket, scan, verified: withoutRecords(verified), crossCopies: [] };
  } catch (error) {
    return { report: await failTarget(ctx, volume, error) };
  }
}

/** Stages 7–10: everything that writes (or, in a dry run, shows what would be written). */
export async function executeTarget(run: PreparedRun): Promise<TargetReport> {
  const { ctx, volume, bucket, scan } = run;
  let { verified } = run;
  try {
    ctx.options.signal?.throwIfAborted();
    guardDeletes(ctx, volume, scan, verified, runFilters(ctx, scan, verified.plan.archived)); // deletion cap
    const aws = await bucket.aws;
    if (ctx.dryRun) {
      await previewStage(ctx, aws, scan, verified, run.crossCopies); // what would happen, nothing changed
      return await closeTarget(ctx, volume);
    }
    const early =
      aws && planEarlyAws({ plan: verified.plan, scan: scan.files, objects: verified.objects, prefix: ctx.prefix });
    verified = run.verified = withoutListing(verified); // nothing after this reads the listing
    // The DB's rows and the listing (365 MiB at a million files) are garbage now, but V8 would collect them
    // only once the heap reached the limit they set: scheduling a million moves took it to a 1,080 MiB peak.
    if (verified.recordCount + (verified.listedCount ?? 0) >= COLLECT_FROM) collectGarbage();
    let settled: MovedRun;
    let result: AwsSyncResult | undefined;
    if (aws && early) {
      ({ settled, result } = await syncBesideMoves(run, aws, early)); // aws starts with the moves
    } else {
      const moved = await moveStage(ctx, volume, bucket, verified, run.crossCopies); // copy + delete, journaled
      settled = await invalidateStage(ctx, bucket, verified, moved); // keys left holding other bytes go
      if (aws)
        result = await awsOrSave(volume, awsStage(ctx, aws, runFilters(ctx, scan, moved.pending), awsOptions(run)));
    }
    await recordStage(ctx, volume, bucket, scan, settled, result); // what the DB may believe
    return await closeTarget(ctx, volume);
  } catch (error) {
    return failTarget(ctx, volume, error);
  }
}

/**
 * Moves and aws side by side (run/early-aws.ts): aws starts at once and leaves the moves' paths alone; once
 * the moves and the invalidation are done, a narrow aws run takes what of those paths is still aws's.
 */
async function syncBesideMoves(
  run: PreparedRun,
  aws: AwsCliInfo,
  early: EarlyAws,
): Promise<{ settled: MovedRun; result: AwsSyncResult }> {
  const { ctx, volume, bucket, scan, verified } = run;
  const touched = (path: string) => early.held.has(path);
  const before = await invalidateStage(ctx, bucket, verified, notMovedYet(verified), {
    files: (path) => !touched(path),
    temporary: false,
  });
  const filters = runFilters(ctx, scan, verified.plan.archived, { leaveAlone: early.leaveAlone });
  const first = awsStage(ctx, aws, filters, awsOptions(run));
  first.catch(() => undefined); // awaited below, once the moves are done
  let settled: MovedRun;
  try {
    const moved = await moveStage(ctx, volume, bucket, verified, run.crossCopies);
    settled = await invalidateStage(
      ctx,
      bucket,
      verified,
      { ...moved, notSynced: before.notSynced },
      { files: touched },
    );
  } catch (error) {
    // The executed moves are saved already; aws is let finish (its uploads stand, the DB learns none of them).
    await first.catch(() => undefined);
    throw error;
  }
  const firstResult = await awsOrSave(volume, first);
  const rest = followUpPaths(early, scan.files, settled);
  if (rest.length === 0) return { settled, result: firstResult };
  const narrow = narrowFollowUp(rest, scan.files.length, verified.listedCount ?? scan.files.length);
  const secondFilters = runFilters(ctx, scan, settled.pending, narrow ? { only: rest } : {});
  const result = combineAwsRuns(
    firstResult,
    await awsOrSave(volume, awsStage(ctx, aws, secondFilters, awsOptions(run))),
  );
  addAwsToReport(ctx.report, result);
  return { settled, result };
}

function notMovedYet(verified: VerifiedRun): MovedRun {
  return { outcomes: [], pending: verified.plan.archived, leftoverTempKeys: [] };
}

function awsOptions(run: PreparedRun) {
  return { dryRun: false, lock: run.volume.lock };
}

/** What aws did before failing is unknown: the DB keeps the old state plus the executed moves. */
async function awsOrSave(volume: OpenedVolume, running: Promise<AwsSyncResult>): Promise<AwsSyncResult> {
  try {
    return await running;
  } catch (error) {
    await volume.db.save();
    throw error;
  }
}

/** A prepared target the batch will not execute (it was cancelled): its lock and DB are let go. */
export async function abandonTarget(run: PreparedRun, reason: unknown): Promise<TargetReport> {
  return failTarget(run.ctx, run.volume, reason);
}

async function failTarget(ctx: RunContext, volume: OpenedVolume | undefined, error: unknown): Promise<TargetReport> {
  failReport(ctx.report, error);
  // A first run that failed leaves no DB behind; an existing one records the failure. A refused volume
  // may not be the right one: nothing is written to it, not even the log.
  if (volume && !isRefusal(error)) {
    ctx.openLog();
    if (!ctx.dryRun && !volume.db.isNew) await saveFailure(ctx, volume);
  }
  return closeTarget(ctx, volume);
}

async function closeTarget(ctx: RunContext, volume: OpenedVolume | undefined): Promise<TargetReport> {
  ctx.report.durationMs = ctx.now().getTime() - ctx.startedAt.getTime();
  volume?.db.close();
  await volume?.lock?.release();
  ctx.finishReport(); // once the DB's memory is let go
  ctx.emit({ type: "target-end", target: ctx.target.name, report: ctx.report });
  await ctx.log?.close();
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
