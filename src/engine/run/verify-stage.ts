// Stage 6, verify: the planned moves against the bucket's listing (the old object must be what the DB
// recorded), archive facts from HEAD where the listing cannot tell, and the user's selection.
import { refreshArchiveFacts } from "../archive";
import { selectMoveGroups } from "../move-order";
import { planRun, type Plan } from "../planner";
import { addPlanToReport } from "../report";
import type { ObjectsByKey } from "../listed-objects";
import { listPrefix } from "./bucket-objects";
import type { ConnectedBucket } from "./connect-bucket";
import type { RunContext } from "./context";
import type { OpenedVolume } from "./open-volume";
import type { PlannedRun } from "./plan-stage";

export interface VerifiedRun extends PlannedRun {
  plan: Plan;
  /** The prefix's listing by key, when this run needed it (moves to verify, or no usable state). */
  objects?: ObjectsByKey;
  /** How many objects the listing held, kept when the listing itself is let go (`withoutListing`). */
  listedCount?: number;
}

/**
 * The run without the bucket's listing, once nothing reads it (the deletion guard and aws's exclude plan
 * are its last readers; the moves hold their sources' ETags): its slots for a million objects, and the
 * keys and ETags no row shares, are room the moves and the state DB's save need next.
 */
export function withoutListing<T extends VerifiedRun>(run: T): T {
  return run.objects ? { ...run, objects: undefined, listedCount: run.objects.size } : run;
}

export async function verifyStage(
  ctx: RunContext,
  volume: OpenedVolume,
  bucket: ConnectedBucket,
  planned: PlannedRun,
): Promise<VerifiedRun> {
  const { target } = ctx;
  let objects: ObjectsByKey | undefined;
  // Without usable state, only the listing says what a sync would delete (the deletion guard needs it).
  const needListing = !planned.plan || (volume.baseline && ctx.options.command === "sync");
  if (needListing) {
    ctx.phase("list");
    objects = await listPrefix(
      bucket.gateway,
      ctx.prefix,
      (count) => ctx.emit({ type: "list-progress", target: target.name, objects: count }),
      ctx.options.signal,
      planned.input.records,
    );
  }
  let plan = planned.plan;
  if (!plan) {
    plan = planRun({ ...planned.input, objects });
    if (await refreshArchiveFacts(bucket.gateway, plan, objects!, ctx.options.signal))
      plan = planRun({ ...planned.input, objects });
  }
  // A chosen move brings its chain, swap or cycle along: half a swap would leave a key with other bytes.
  if (ctx.options.selectMoves) plan = { ...plan, moves: selectMoveGroups(plan.moves, ctx.options.selectMoves) };

  addPlanToReport(ctx.report, plan);
  ctx.emit({
    type: "plan",
    target: target.name,
    moves: plan.moves.length,
    archived: plan.archived.length,
    rejected: plan.rejected.length,
    newFiles: plan.newFiles.length,
    modified: plan.modified.length,
    deleted: plan.deleted.length,
    bytesSaved: plan.bytesSaved,
  });
  if (plan.archived.length > 0) {
    ctx.notice(
      `${plan.archived.length} move(s) wait for archived objects to be restored; their files are left out of this sync. ` +
        `Run \`s3-smart-sync restore ${target.localPath} ${target.bucket}${ctx.prefix ? ` -p ${ctx.prefix}` : ""}\` to start the restores.`,
      "warning",
    );
  }
  return { ...planned, plan, objects };
}
