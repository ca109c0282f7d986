// What a run tells its front ends: one report per target, plain data (printed as JSON by `--json`).

export type TargetStatus = "ok" | "partial" | "failed" | "skipped";

export interface MoveSummary {
  from: string;
  to: string;
  fromKey: string;
  toKey: string;
  size: number;
  inode?: number;
  /** Recorded mtime, seconds since the epoch. */
  mtime?: number;
  status: "done" | "failed" | "blocked" | "planned" | "pending-restore" | "skipped";
  reason?: string;
  storageClass?: string;
}

export interface TargetReport {
  target: string;
  localPath: string;
  bucket: string;
  prefix: string;
  command: "sync" | "moves";
  dryRun: boolean;
  status: TargetStatus;
  error?: { code: string; message: string; hint?: string; retryable?: boolean };
  notices: string[];
  moves: {
    done: number;
    failed: number;
    /** Rename candidates left to aws, with the rule that stopped them. */
    skipped: number;
    pendingRestore: number;
    list: MoveSummary[];
  };
  /** Bytes not uploaded thanks to server-side moves (done, or planned in a dry run). */
  bytesSaved: number;
  counts: { new: number; modified: number; deleted: number; unchanged: number };
  aws?: {
    exitCode: number;
    outcome: string;
    uploads: number;
    deletes: number;
    skippedPaths: string[];
    command: string[];
  };
  logFile?: string;
  startedAt: string;
  durationMs: number;
}

export function emptyReport(
  base: Pick<TargetReport, "target" | "localPath" | "bucket" | "prefix" | "command" | "dryRun">,
  startedAt: Date,
): TargetReport {
  return {
    ...base,
    status: "ok",
    notices: [],
    moves: { done: 0, failed: 0, skipped: 0, pendingRestore: 0, list: [] },
    bytesSaved: 0,
    counts: { new: 0, modified: 0, deleted: 0, unchanged: 0 },
    startedAt: startedAt.toISOString(),
    durationMs: 0,
  };
}
