// The engine's public API for the front ends (CLI, Raycast). No UI, no React, no @raycast/*.
export { runTarget, type RunOptions } from "./run";
export { runBatch, type BatchOptions } from "./batch";
export { volumeStatus, type VolumeStatus, type LastRun, type StatusOptions } from "./status";
export { startRestores, restoreStatus, RESTORE_TIME, type RestoreItem, type RestoreTierName } from "./archive";
export { openStateDb, loadSqlWasm, initSql, type StateDb, type PendingRestore, type SkippedMove } from "./db";
export { locateAwsCli, type AwsCliInfo, type AwsEvent } from "./aws-cli";
export * from "./config";
export {
  SmartSyncError,
  ConfigError,
  LockedError,
  AwsCliError,
  GuardError,
  describeError,
  type ErrorCode,
} from "./errors";
export type { EngineEvent, EventSink, Phase } from "./events";
export type { TargetReport, TargetStatus, MoveSummary } from "./report";
export type { Target, ScannedFile, FileRecord, S3ObjectInfo } from "./types";
export { keyFor, normalizePrefix, s3Uri } from "./keys";
export { formatBytes, formatDuration, plural } from "./format";
export { skipMove, unskipMove, type MoveToSkip } from "./skip";
export { REJECT_REASON_TEXT, type RejectReason } from "./move-rules";
