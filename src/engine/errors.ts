// One error base with a literal `name`, a `hint` that tells the user what to do, and whether a
// retry can help. Front ends pick their message, exit code and actions from these fields.

export type ErrorCode =
  | "CONFIG_INVALID"
  | "CONFIG_MISSING"
  | "CONFIG_EXISTS"
  | "VOLUME_MISSING"
  | "VOLUME_UNREADABLE"
  | "LOCKED"
  | "DB_NEWER_SCHEMA"
  | "DB_UNREADABLE"
  | "BUCKET_MISSING"
  | "WRONG_REGION"
  | "CREDENTIALS"
  | "ACCESS_DENIED"
  | "NETWORK"
  | "S3_FAILED"
  | "AWS_CLI_MISSING"
  | "AWS_CLI_FAILED"
  | "ABORTED"
  | "USAGE"
  | "VOLUME_REFUSED"
  | "DELETES_REFUSED";

export class SmartSyncError extends Error {
  override name = "SmartSyncError";
  readonly code: ErrorCode;
  /** What the user should do about it, one sentence. */
  readonly hint?: string;
  /** True when trying again later can succeed without the user changing anything. */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { hint?: string; retryable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.retryable = options.retryable ?? false;
  }
}

/** Thrown by the config parser; carries every problem found, each as `file:line: what is wrong`. */
export class ConfigError extends SmartSyncError {
  override name = "ConfigError";
  readonly problems: { file: string; line: number; message: string }[];

  constructor(problems: { file: string; line: number; message: string }[]) {
    super("CONFIG_INVALID", problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join("\n"), {
      hint: "Fix the lines above in the config file and run again.",
    });
    this.problems = problems;
  }
}

/** The volume's folder vanished mid-run (unplugged): `during` names the step, as "the scan". */
export function volumeWentAway(root: string, during: string, hint: string, cause: unknown): SmartSyncError {
  return new SmartSyncError("VOLUME_MISSING", `${root} went away during ${during}.`, { hint, cause });
}

/**
 * Thrown when a safety guard refuses a target (not the recorded volume, an empty root over a full prefix,
 * too many deletes). Nothing in S3 or in the state DB was changed; the hint says how to proceed on purpose.
 */
export class GuardError extends SmartSyncError {
  override name = "GuardError";

  constructor(
    code: "VOLUME_REFUSED" | "DELETES_REFUSED",
    message: string,
    options: { hint: string; retryable?: boolean },
  ) {
    super(code, message, options);
  }
}

/** Thrown when another process holds the volume's lock. */
export class LockedError extends SmartSyncError {
  override name = "LockedError";
  readonly holder: { pid: number; host: string; command: string; startedAt: string };

  constructor(lockFile: string, holder: LockedError["holder"]) {
    super(
      "LOCKED",
      `Another sync is running on this volume: pid ${holder.pid} on ${holder.host} (${holder.command}, started ${holder.startedAt}).`,
      {
        hint: `Wait for it to finish. If no such process exists, delete ${lockFile}.`,
        retryable: true,
      },
    );
    this.holder = holder;
  }
}

/** Thrown when the aws CLI cannot be found or exits with a failure. */
export class AwsCliError extends SmartSyncError {
  override name = "AwsCliError";
  readonly exitCode?: number;
  readonly stderr: string;

  constructor(
    code:
      | "AWS_CLI_MISSING"
      | "AWS_CLI_FAILED"
      | "CREDENTIALS"
      | "ACCESS_DENIED"
      | "WRONG_REGION"
      | "BUCKET_MISSING"
      | "NETWORK",
    message: string,
    options: { hint?: string; exitCode?: number; stderr?: string; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(code, message, options);
    this.exitCode = options.exitCode;
    this.stderr = options.stderr ?? "";
  }
}

export function isSmartSyncError(error: unknown): error is SmartSyncError {
  return error instanceof SmartSyncError;
}

/** A one-line description of any error, for logs and JSON output. */
export function describeError(error: unknown): string {
  if (error instanceof SmartSyncError) return error.hint ? `${error.message} ${error.hint}` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
