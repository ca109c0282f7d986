// The move rules of DESIGN.md, one named predicate each. The planner combines them; each is tested alone.
import type { FileRecord, S3ObjectInfo, ScannedFile } from "./types";

/** Why a rename candidate was not turned into a server-side move. aws handles it instead. */
export type RejectReason =
  | "changed-since-recorded"
  | "hard-link"
  | "excluded"
  | "skipped-by-user"
  | "held-with-group"
  | "source-missing"
  | "source-size-differs"
  | "source-older-than-file"
  | "source-etag-differs"
  | "content-not-proven";

export const REJECT_REASON_TEXT: Record<RejectReason, string> = {
  "changed-since-recorded": "edited since the last sync (aws uploads it)",
  "hard-link": "hard link (several paths share the inode)",
  excluded: "excluded by the target's excludes",
  "skipped-by-user": "skipped by you (aws uploads it)",
  "held-with-group": "its chain, swap or cycle has a move that is not made (aws uploads it)",
  "source-missing": "old object not found in S3",
  "source-size-differs": "old object in S3 has another size",
  "source-older-than-file": "old object in S3 is older than the file",
  "source-etag-differs": "old object in S3 holds other bytes than recorded",
  "content-not-proven":
    "the inode may be recycled and the file's content could not be proven equal to the old object (aws uploads it)",
};

/** mtimes are compared to the millisecond: the DB keeps seconds as REAL, the scan milliseconds. */
const MTIME_TOLERANCE_SECONDS = 0.001;

export function sameMtime(mtimeMs: number, recordedSeconds: number): boolean {
  return Math.abs(mtimeMs / 1000 - recordedSeconds) < MTIME_TOLERANCE_SECONDS;
}

/** A renamed *and edited* file is not a move: its bytes in S3 are stale. */
export function isUnchangedSinceRecorded(now: ScannedFile, recorded: FileRecord): boolean {
  return now.inode === recorded.inode && now.size === recorded.size && sameMtime(now.mtimeMs, recorded.mtime);
}

/**
 * The old object must be what aws would consider the same file: same size, LastModified not older than
 * the file (both truncated to whole seconds, since real S3 lists whole seconds), and the recorded ETag
 * when one is known (same-size swaps pass size + date alone).
 */
export function checkSourceObject(
  object: S3ObjectInfo | undefined,
  recorded: FileRecord,
): Extract<RejectReason, `source-${string}`> | null {
  if (!object) return "source-missing";
  if (object.size !== recorded.size) return "source-size-differs";
  if (Math.floor(object.lastModifiedMs / 1000) < Math.floor(recorded.mtime)) return "source-older-than-file";
  if (recorded.etag && recorded.etag !== object.etag) return "source-etag-differs";
  return null;
}

const ARCHIVED_CLASSES = new Set(["GLACIER", "DEEP_ARCHIVE"]);
const ARCHIVED_TIERS = new Set(["ARCHIVE_ACCESS", "DEEP_ARCHIVE_ACCESS"]);

/** Archived objects cannot be copied until a restore completes (InvalidObjectState). */
export function isArchived(object: S3ObjectInfo): boolean {
  if (object.restore && !object.restore.ongoing) return false;
  return ARCHIVED_CLASSES.has(object.storageClass) || ARCHIVED_TIERS.has(object.archiveStatus ?? "");
}
