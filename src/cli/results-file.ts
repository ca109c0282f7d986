// Each target's last result, kept by the worker beside its state file (`last-results.json`). The state file
// holds one run; this file keeps every target's latest outcome across runs, so the menu bar can say when
// each target last synced and how, without opening a volume's DB or scanning anything.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../engine/atomic-write";
import type { TargetReport } from "../engine/report";

/** What a sync would delete and what the deletion cap allows (reports carry it once the guards land). */
export interface DeleteGuard {
  /** Objects aws would delete. */
  count: number;
  /** Objects under the target's prefix. */
  objects: number;
  /** The cap for this target. */
  limit: number;
}

/** The delete figures of a report, when the engine gave them. */
export function deletesOf(report: TargetReport): DeleteGuard | undefined {
  return (report as TargetReport & { deletes?: DeleteGuard }).deletes;
}

export interface TargetResult {
  target: string;
  localPath: string;
  /** When the result was recorded (the end of the target's run, or of the check). */
  at: string;
  startedAt?: string;
  status: TargetReport["status"];
  error?: TargetReport["error"];
  /** The last time `--if-changed` found nothing to sync on the volume (the target was up to date then). */
  checkedAt?: string;
  moves?: number;
  bytesSaved?: number;
  uploads?: number;
  uploadedBytes?: number;
  awsDeletes?: number;
  deletes?: DeleteGuard;
  logFile?: string;
}

export type ResultsByTarget = Record<string, TargetResult>;

export const RESULTS_FILE_NAME = "last-results.json";

/** The results file that goes with a state file (same folder). */
export function resultsFileFor(stateFile: string): string {
  return path.join(path.dirname(stateFile), RESULTS_FILE_NAME);
}

export async function readResults(file: string): Promise<ResultsByTarget> {
  try {
    const parsed = JSON.parse(await readFile(file, "utf8")) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as ResultsByTarget) : {};
  } catch {
    return {};
  }
}

let chain: Promise<unknown> = Promise.resolve();

/** Merges results into the file (one writer at a time in this process; one worker runs at a time). */
export function recordResults(file: string, results: TargetResult[]): Promise<void> {
  return update(file, (all) => {
    for (const result of results) all[result.target] = { ...result, checkedAt: all[result.target]?.checkedAt };
  });
}

/** Notes that these targets had nothing to sync at `at`; their last sync result stays. */
export function recordChecked(file: string, targets: { name: string; localPath: string }[], at: string): Promise<void> {
  return update(file, (all) => {
    for (const t of targets)
      all[t.name] = { ...(all[t.name] ?? { target: t.name, localPath: t.localPath, at, status: "ok" }), checkedAt: at };
  });
}

function update(file: string, change: (all: ResultsByTarget) => void): Promise<void> {
  const next = chain.then(async () => {
    const all = await readResults(file);
    change(all);
    await writeFileAtomic(file, Buffer.from(JSON.stringify(all)));
  });
  chain = next.catch(() => undefined);
  return next;
}
