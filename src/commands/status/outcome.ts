// A target's last outcome, from the two places that know it: the volume's DB (every run, the CLI's too,
// read by the status child) and the worker's last result (error codes, delete counts, bytes uploaded).
// The newer wins; the worker's is richer when they describe the same run.
import type { DeleteGuard, TargetResult } from "../../cli/results-file";
import { REFUSED_CODES } from "../../cli/summary";
import type { LastRun } from "../../engine/status";

export interface Outcome {
  /** When the run started (ISO). */
  at: string;
  status: string;
  error?: { code: string; message: string; hint?: string };
  deletes?: DeleteGuard;
  logFile?: string;
  moves?: number;
  bytesSaved?: number;
  uploads?: number;
  uploadedBytes?: number;
  /** A later check found nothing to sync (`--if-changed`). */
  upToDateAt?: string;
}

export function lastOutcome(
  lastRun: LastRun | null | undefined,
  result: TargetResult | undefined,
): Outcome | undefined {
  const fromResult = result && {
    at: result.startedAt ?? result.at,
    status: result.status,
    error: result.error,
    deletes: result.deletes,
    logFile: result.logFile,
    moves: result.moves,
    bytesSaved: result.bytesSaved,
    uploads: result.uploads,
    uploadedBytes: result.uploadedBytes,
  };
  const fromDb = lastRun && {
    at: lastRun.at,
    status: lastRun.status,
    logFile: lastRun.logFile,
    moves: lastRun.moves,
    bytesSaved: lastRun.bytesSaved,
    uploads: lastRun.uploads,
  };
  const outcome =
    fromResult && (!fromDb || Date.parse(fromResult.at) >= Date.parse(fromDb.at) - 1000) ? fromResult : fromDb;
  const checked = result?.checkedAt;
  if (!outcome) return undefined;
  return checked && Date.parse(checked) > Date.parse(outcome.at) ? { ...outcome, upToDateAt: checked } : outcome;
}

export function isRefusedOutcome(outcome: Outcome | undefined): boolean {
  return !!outcome?.error && REFUSED_CODES.has(outcome.error.code);
}

export const RESULT_TEXT: Record<string, string> = {
  ok: "Synced",
  partial: "Synced With Warnings",
  failed: "Failed",
  skipped: "Skipped",
};

/** The tag a target's last outcome shows as. */
export function outcomeTag(outcome: Outcome | undefined): string {
  if (!outcome) return "Never Synced";
  if (isRefusedOutcome(outcome)) return "Refused";
  if (outcome.error?.code === "ABORTED") return "Stopped";
  return RESULT_TEXT[outcome.status] ?? outcome.status;
}
