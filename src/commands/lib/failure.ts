// Failures as the commands show them: a code, what happened, what to do. Built from a CLI error, a
// report's error or anything thrown.
import { CliError } from "./cli";

export interface Failure {
  code: string;
  message: string;
  hint?: string;
}

/** Failures a later attempt can get past on its own (another run held the lock, the network dropped). */
const RETRYABLE = new Set(["LOCKED", "NETWORK", "S3_FAILED", "WORKER_STOPPED", "INTERRUPTED"]);
/** Failures whose cure is in the config file. */
export const CONFIG_CODES = new Set([
  "CONFIG_INVALID",
  "CONFIG_MISSING",
  "CREDENTIALS",
  "BUCKET_MISSING",
  "WRONG_REGION",
]);

export function failureOf(error: unknown): Failure {
  if (error instanceof CliError) return error.failure;
  if (error && typeof error === "object" && "code" in error && "message" in error) {
    const e = error as { code: unknown; message: unknown; hint?: unknown };
    if (typeof e.code === "string" && typeof e.message === "string")
      return { code: e.code, message: e.message, hint: typeof e.hint === "string" ? e.hint : undefined };
  }
  return { code: "UNEXPECTED", message: error instanceof Error ? error.message : String(error) };
}

export function isRetryable(failure: Failure): boolean {
  return RETRYABLE.has(failure.code);
}
