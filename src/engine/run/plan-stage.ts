// Stage 5, plan: scan + recorded state → moves, new, modified, deleted (a pure function; see planner.ts).
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
    isExcluded: scan.filters.isExcludedPath, // the scan's own rules: one idea of "excluded" for scan, plan and aws
    skippedMoves: volume.db.skippedMoves().map((s) => ({ from: s.fromPath, to: s.toPath })),
    archivedMoves: target.archivedMoves,
  };
  return { input, plan: planRun(input) };
}
