// Stage 5, plan: scan + recorded state → moves, new, modified, deleted (a pure function; see planner.ts).
import { createExcludeMatcher, TOOL_EXCLUDES } from "../filters";
import { planRun, type Plan, type PlanInput } from "../planner";
import type { RunContext } from "./context";
import type { OpenedVolume } from "./open-volume";
import type { VolumeScan } from "./scan-stage";

export interface PlannedRun {
  input: PlanInput;
  /** Unverified: moves are checked against S3 by the next stage. */
  plan: Plan;
}

export function planStage(ctx: RunContext, volume: OpenedVolume, scan: VolumeScan): PlannedRun {
  const { target } = ctx;
  ctx.phase("plan");
  const input: PlanInput = {
    scan: scan.files,
    records: volume.baseline ? [] : volume.db.allFiles(),
    prefix: ctx.prefix,
    isExcluded: createExcludeMatcher(target.localPath, [...TOOL_EXCLUDES, ...target.excludes]),
    skippedMoves: volume.db.skippedMoves().map((s) => ({ from: s.fromPath, to: s.toPath })),
    archivedMoves: target.archivedMoves,
  };
  return { input, plan: planRun(input) };
}
