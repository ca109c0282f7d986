// What a run tells its front ends: one report per target, plain data (printed as JSON by `--json`).
import type { AwsSyncResult } from "./aws-cli";
import { SmartSyncError } from "./errors";
import { REJECT_REASON_TEXT } from "./move-rules";
import type { ProofKind } from "./content-proof";
import type { MoveEvidence, Plan, PlannedMove } from "./planner";

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
  /** Planned moves of one chain, swap or cycle share a group number: they are applied together or not at all. */
  group?: number;
  /** What the move rests on (inode, inode+hash, hash, cross-target); a copy rests on a hash. */
  evidence?: MoveEvidence;
  /** How the content was proven (md5, multipart-etag, crc64nvme), for inode+hash and hash. */
  proof?: ProofKind;
  /** A server-side copy: the source object stays (the same content is at both paths). */
  copy?: boolean;
  /** Cross-target copies: the target and bucket the object came from (`from` and `fromKey` are theirs). */
  fromTarget?: string;
  fromBucket?: string;
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
    /** Server-side copies made from objects that stay (new files whose content the bucket held). */
    copied?: number;
    list: MoveSummary[];
  };
  /** Bytes not uploaded thanks to server-side moves (done, or planned in a dry run). */
  bytesSaved: number;
  /**
   * Files read to prove content equal to objects (moves without a usable inode, copies): bytes and files
   * read this run, proofs found, and the bytes those proofs save from being uploaded.
   */
  hashing?: {
    bytes: number;
    files: number;
    cachedFiles: number;
    proven: number;
    bytesProven: number;
    budgetLeft: number;
  };
  counts: { new: number; modified: number; deleted: number; unchanged: number };
  /**
   * Objects the aws step deletes (or would, in a dry run), the prefix's objects, and the deletion cap for this
   * target; counted from the bucket's listing, or from the state DB's records when the run did not list.
   */
  deletes?: { count: number; objects: number; limit: number; source: "listing" | "state-db" };
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

/** Turns a target's failure into the report's error and status; not mounted means skipped. */
export function failReport(report: TargetReport, error: unknown): TargetReport {
  const e = error instanceof SmartSyncError ? error : undefined;
  report.status = e?.code === "VOLUME_MISSING" ? "skipped" : "failed";
  report.error = {
    code: e?.code ?? "UNEXPECTED",
    message: error instanceof Error ? error.message : String(error),
    hint: e?.hint,
    retryable: e?.retryable,
  };
  return report;
}

export function moveSummary(move: PlannedMove, status: MoveSummary["status"], reason?: string): MoveSummary {
  return {
    from: move.from,
    to: move.to,
    fromKey: move.fromKey,
    toKey: move.toKey,
    size: move.size,
    inode: move.inode,
    mtime: move.mtime,
    status,
    reason,
    storageClass: move.storageClass,
    evidence: move.evidence ?? "inode",
    ...(move.proof ? { proof: move.proof } : {}),
    ...(move.copy ? { copy: true } : {}),
    ...(move.fromBucket ? { fromTarget: move.fromTarget, fromBucket: move.fromBucket } : {}),
  };
}

export function addPlanToReport(report: TargetReport, plan: Plan): void {
  report.counts = {
    new: plan.newFiles.length,
    modified: plan.modified.length,
    deleted: plan.deleted.length,
    unchanged: plan.unchangedCount,
  };
  report.moves.skipped = plan.rejected.length;
  report.moves.pendingRestore = plan.archived.length;
  for (const move of plan.archived)
    report.moves.list.push(moveSummary(move, "pending-restore", "source object is archived"));
  for (const r of plan.rejected) {
    report.moves.list.push({
      from: r.from,
      to: r.to,
      fromKey: "",
      toKey: "",
      size: r.size,
      status: "skipped",
      reason: REJECT_REASON_TEXT[r.reason],
    });
  }
}

export function addAwsToReport(report: TargetReport, result: AwsSyncResult): void {
  report.aws = {
    exitCode: result.exitCode,
    outcome: result.outcome,
    uploads: result.uploads.length,
    deletes: result.deletes.length,
    skippedPaths: result.skippedPaths,
    command: result.command,
  };
}
