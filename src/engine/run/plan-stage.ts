// Stage 5, plan: scan + recorded state → moves, new, modified, deleted (a pure function; see planner.ts).
import { planUnlessMoves, type Plan, type PlanInput } from "../planner";
import type { RunContext } from "./context";
import type { OpenedVolume } from "./open-volume";
import type { VolumeScan } from "./scan-stage";

export interface PlannedRun {
  /** Its `records` are let go once the prove stage, their last reader, is done (`withoutRecords`). */
  input: PlanInput;
  /** How many rows the DB held: the deletion guard weighs the bucket's listing against it. */
  recordCount: number;
  /**
   * The plan, when it has no move; undefined when it has moves, which the next stage plans with the
   * bucket's listing (they are checked against S3 there, and a million of them are made once).
   */
  plan?: Plan;
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
  volume.db.release(); // its rows are read: its memory is let go until a later stage writes
  return { input, recordCount: input.records.length, plan: planUnlessMoves(input) };
}

/** The run without the DB's rows, once nothing reads them: a million rows hold about a quarter of a GiB. */
export function withoutRecords<T extends PlannedRun>(run: T): T {
  return { ...run, input: { ...run.input, records: [] } };
}
