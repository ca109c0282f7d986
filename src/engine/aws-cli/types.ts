// Records the aws CLI runner hands to its consumers (progress bar, toast, log, recorder).
import type { FilterRule } from "../filters";
import type { AwsS3Settings } from "./s3-settings";

export interface AwsCliInfo {
  /** Absolute path of the binary that answered `--version`. */
  path: string;
  /** e.g. "2.9.19". */
  version: string;
  major: number;
}

export type AwsEvent =
  | {
      type: "aws-progress";
      /** 0 when aws only counts files (nothing to upload, only deletes). */
      doneBytes: number;
      totalBytes: number;
      filesRemaining: number;
      /** Files finished; only in the files-only form of the line. */
      filesDone?: number;
      /** e.g. "3.1 MiB/s". */
      rate?: string;
      /** False while aws is still listing (`~` totals, "(calculating...)"). */
      totalFinal: boolean;
    }
  | {
      type: "aws-upload";
      /** As aws printed it, resolved to an absolute path when the run's cwd is known. */
      localPath: string;
      /** Object key (prefix included, no bucket). */
      key: string;
      /** Path relative to the source root, `/`-separated; set when the destination is known. */
      path?: string;
      dryRun: boolean;
    }
  | { type: "aws-delete"; key: string; path?: string; dryRun: boolean }
  | { type: "aws-copy"; from: string; key: string; dryRun: boolean }
  | {
      type: "aws-warning";
      message: string;
      /** The file aws skipped, as printed (absolute for local files). */
      path?: string;
      /** `path` relative to the source root when it lies below it. */
      relativePath?: string;
    }
  | {
      type: "aws-error";
      message: string;
      /** "upload", "delete"… for a failed transfer; absent for fatal errors. */
      operation?: string;
      localPath?: string;
      fatal: boolean;
    }
  | { type: "aws-output"; line: string };

export interface AwsSyncOptions {
  aws: AwsCliInfo;
  /** Local root exactly as given (never Unicode-normalised). */
  source: string;
  /** `s3://bucket/prefix/` (a missing trailing `/` means the same to aws). */
  destination: string;
  /** `--exclude` / `--include` rules in command-line order (aws-filters.ts builds them). */
  filters: readonly FilterRule[];
  /** Defaults to true. */
  delete?: boolean;
  dryRun?: boolean;
  endpointUrl?: string;
  profile?: string;
  region?: string;
  storageClass?: string;
  /** Settings of aws's `s3` config block for this run (s3-settings.ts); unset ones stay the user's config's. */
  s3Settings?: AwsS3Settings;
  /** Environment for aws; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  timeoutMs?: number;
  onEvent?: (event: AwsEvent) => void;
  /** Called as soon as aws is started: the run records the child in the volume's lock. */
  onSpawn?: (child: { pid: number; command: string[] }) => void;
}

export type AwsSyncOutcome = "ok" | "skipped-files" | "failed";

export interface AwsSyncResult {
  exitCode: number;
  /** ok = exit 0; skipped-files = exit 2 (aws warned and skipped); failed = exit 1 (a transfer failed). */
  outcome: AwsSyncOutcome;
  uploads: { localPath: string; key: string; path?: string }[];
  deletes: string[];
  warnings: { message: string; path?: string }[];
  errors: string[];
  /** Relative paths (under the source root) aws warned it skipped. */
  skippedPaths: string[];
  durationMs: number;
  /** argv for logs, without secrets. */
  command: string[];
}
