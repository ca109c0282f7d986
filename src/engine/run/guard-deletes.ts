// Stage 7, guard (part three): a sync whose aws step would delete more than the deletion cap is refused as a
// whole, with the numbers, unless the user confirmed (--allow-deletes).
import { countAwsDeletes } from "../aws-deletes";
import type { AwsFilters } from "../aws-filters";
import { DEFAULT_DELETION_CAP, deletionLimit, judgeDeletes, type DeletionCap } from "../guards";
import { s3Uri } from "../keys";
import type { RunContext } from "./context";
import type { OpenedVolume } from "./open-volume";
import type { VolumeScan } from "./scan-stage";
import type { VerifiedRun } from "./verify-stage";

export function guardDeletes(
  ctx: RunContext,
  volume: OpenedVolume,
  scan: VolumeScan,
  verified: VerifiedRun,
  filters: AwsFilters,
): void {
  // A sync judges its deletes; a dry run of the moves alone (Preview Moves) counts them for the next sync.
  if (ctx.options.command !== "sync" && !ctx.dryRun) return;
  const { target } = ctx;
  const cap: DeletionCap = {
    maxDeletes: target.maxDeletes ?? DEFAULT_DELETION_CAP.maxDeletes,
    maxShare: target.maxDeleteShare ?? DEFAULT_DELETION_CAP.maxShare,
  };
  const evidence = countAwsDeletes({
    prefix: ctx.prefix,
    scan: scan.files,
    plan: verified.plan,
    objects: verified.objects,
    recordCount: verified.recordCount,
    isExcludedKey: filters.isExcludedKey,
  });
  ctx.report.deletes = { ...evidence, limit: deletionLimit(evidence.objects, cap) };
  const refusal = judgeDeletes({ ...evidence, cap, destination: s3Uri(target.bucket, ctx.prefix) });
  if (!refusal) return;
  if (ctx.options.allowDeletes) ctx.notice(`Allowed on purpose (--allow-deletes): ${refusal.message}`, "warning");
  // A dry run goes on to show what would be deleted; the sync itself would stop here.
  else if (ctx.dryRun) ctx.notice(`A sync would be refused: ${refusal.message} ${refusal.hint}`, "warning");
  else throw refusal;
}
