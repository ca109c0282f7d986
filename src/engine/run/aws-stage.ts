// Stage 9, aws: `aws s3 sync --delete` for everything the moves did not cover, with the target's excludes,
// the tool's own files, and the paths this run must leave alone. The child is recorded in the volume's lock
// while it runs, so that a run that finds this one killed stops it instead of starting a second aws.
import { awsAddressingStyle, runAwsSync, type AwsCliInfo, type AwsSyncResult } from "../aws-cli";
import { awsFilters, type AwsFilters } from "../aws-filters";
import { awsSourceArg } from "../filters";
import { s3Uri } from "../keys";
import type { VolumeLock } from "../lock";
import { addAwsToReport } from "../report";
import type { SkippedEntry } from "../types";
import type { RunContext } from "./context";
import type { LeaveAlone } from "./early-aws";

/**
 * The rules of this run as aws is given them, and what they leave out on each side. Before the scan: the
 * target's excludes and the tool's files; after it, also what the scan skipped and `leaveAlone` (relative
 * paths aws must neither upload nor delete).
 */
export function runFilters(
  ctx: RunContext,
  scan?: { skipped: readonly SkippedEntry[] },
  leaveAlone: readonly { from: string; to: string }[] = [],
  more: { leaveAlone?: LeaveAlone; only?: readonly string[] } = {},
): AwsFilters {
  return awsFilters({
    root: ctx.target.localPath,
    bucket: ctx.target.bucket,
    prefix: ctx.prefix,
    userExcludes: ctx.target.excludes,
    leaveAlone: [...leaveAlone.flatMap((m) => [m.from, m.to]), ...(more.leaveAlone?.paths ?? [])],
    leaveAloneFolders: more.leaveAlone?.folders,
    only: more.only,
    skipped: scan?.skipped,
  });
}

export async function awsStage(
  ctx: RunContext,
  aws: AwsCliInfo,
  filters: AwsFilters,
  options: { dryRun: boolean; lock?: VolumeLock },
): Promise<AwsSyncResult> {
  const { target } = ctx;
  const { lock } = options;
  ctx.phase("aws");
  try {
    const result = await runAwsSync({
      aws,
      source: awsSourceArg(target.localPath),
      destination: s3Uri(target.bucket, ctx.prefix),
      filters: filters.rules,
      delete: true,
      dryRun: options.dryRun,
      endpointUrl: target.endpointUrl,
      profile: target.profile,
      region: target.region,
      storageClass: target.storageClass,
      s3Settings: {
        max_concurrent_requests: target.awsMaxConcurrentRequests,
        multipart_chunksize: target.awsMultipartChunksize,
        addressing_style: awsAddressingStyle(target), // as the SDK addresses the bucket (path_style)
      },
      env: ctx.options.env,
      signal: ctx.options.signal,
      onEvent: (event) => ctx.emit({ type: "aws", target: target.name, event }),
      onSpawn: lock && ((child) => lock.setChild({ ...child, startedAt: ctx.now().toISOString() })),
    });
    addAwsToReport(ctx.report, result);
    return result;
  } finally {
    if (lock) clearChild(ctx, lock);
  }
}

function clearChild(ctx: RunContext, lock: VolumeLock): void {
  try {
    lock.setChild(undefined);
  } catch (error) {
    // The lock goes away with the run anyway; a stale child record is checked against the live process.
    ctx.notice(`Could not update the volume's lock: ${error instanceof Error ? error.message : error}`, "warning");
  }
}
