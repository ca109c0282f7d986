// A dry run's end: the planned moves as the report lists them, and what aws would do besides (`--dryrun`,
// with the moves left out: aws would see each as an upload plus a delete).
import type { AwsCliInfo } from "../aws-cli";
import { moveGroups } from "../move-order";
import type { MoveOutcome } from "../mover";
import { moveSummary } from "../report";
import { awsStage, runFilters } from "./aws-stage";
import type { RunContext } from "./context";
import type { VolumeScan } from "./scan-stage";
import type { VerifiedRun } from "./verify-stage";

export async function previewStage(
  ctx: RunContext,
  aws: AwsCliInfo | undefined,
  scan: VolumeScan,
  verified: VerifiedRun,
  /** Copies other targets of the batch would make into this one (cross-target-stage.ts). */
  crossCopies: readonly MoveOutcome[] = [],
): Promise<void> {
  const { plan } = verified;
  const groups = moveGroups(plan.moves);
  for (const [i, move] of plan.moves.entries()) {
    ctx.report.moves.list.push({ ...moveSummary(move, "planned"), group: groups[i] });
    ctx.emit({
      type: "move",
      target: ctx.target.name,
      outcome: { move, status: "done" },
      done: 0,
      failed: 0,
      total: plan.moves.length,
      dryRun: true,
    });
  }
  const copies = [...(plan.copies ?? []), ...crossCopies.map((o) => o.move)];
  for (const copy of copies) ctx.report.moves.list.push(moveSummary(copy, "planned"));
  ctx.report.bytesSaved = plan.bytesSaved + crossCopies.reduce((sum, o) => sum + o.move.size, 0);
  // A copy's source stays and aws still compares it; only its destination is left out.
  const leftOut = [...plan.archived, ...plan.moves, ...copies.map((c) => ({ from: c.to, to: c.to }))];
  if (aws) await awsStage(ctx, aws, runFilters(ctx, scan, leftOut), { dryRun: true });
}
