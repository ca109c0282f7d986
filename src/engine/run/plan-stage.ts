// Stage 5, plan: scan + recorded state → moves, new, modified, deleted (a pure function; see planner.ts).
import { planRun, type Plan, type PlanInput } from "../planner";
import type { RunContext } from "./context";
import type { OpenedVolume } from "./open-volume";
import type { VolumeScan } from "./scan-stage";

export interface PlannedRun {
  /** Its `records` are let go once the prove stage, their last reader, is done (`withoutRecords`). */
  input: PlanInput;
  /** How many rows the DB held: the deletion guard weighs the bucket's listing against it. */
  recordCount: number;
  /**
   * Unverified: moves are checked against S3 by the next stage, which plans again with the listing and
   * drops this plan first (it replaces it here too).
   */
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
  return { input, recordCount: input.records.length, plan: planRun(input) };
}

/** The run without the DB's rows, once nothing reads them: a million rows hold about a quarter of a GiB. */
export function withoutRecords<T extends PlannedRun>(run: T): T {
  return { ...run, input: { ...run.input, records: [] } };
}
