// What the DB may believe after a run (DESIGN.md): only what happened. Pure: previous rows (with the
// executed moves already applied) + scan + what aws reported → the rows to store.
import { keyFor } from "./keys";
import { sameMtime } from "./move-rules";
import type { FileRecord, S3ObjectInfo, ScannedFile } from "./types";

export interface RecordInput {
  /** DB rows after executed moves were applied. */
  previous: readonly FileRecord[];
  scan: readonly ScannedFile[];
  /** synced: aws exited 0; synced-with-skips: exited 2; not-synced: aws failed, was killed, or did not run. */
  outcome: "synced" | "synced-with-skips" | "not-synced";
  /** Relative paths aws skipped (exit 2): their old rows stay as they were. */
  skippedPaths?: readonly string[];
  /** Moves waiting for a restore: the old row stays, the new path is not recorded (aws did not see it). */
  pendingMoves?: readonly { from: string; to: string }[];
  /** True when the DB had no usable state: the scan becomes the baseline even if aws did not run. */
  baseline: boolean;
  /** A listing taken after aws ran, to learn the ETags of what it uploaded. */
  objects?: ReadonlyMap<string, S3ObjectInfo>;
  prefix: string;
  /** Paths whose key may have held other bytes (the plan's `unsure`): a new inode there keeps no old ETag. */
  doubtful?: ReadonlySet<string>;
  /** ETags proven by hashing to be those of the file now at the path (content-proven moves and copies). */
  proven?: ReadonlyMap<string, string>;
  /** Seconds since the epoch. */
  now: number;
}

export function recordState(input: RecordInput): FileRecord[] {
  const { previous, scan, outcome } = input;
  if (outcome === "not-synced" && !input.baseline) return [...previous];

  const previousByPath = new Map(previous.map((r) => [r.path, r]));
  const keepOld = new Set([...(input.skippedPaths ?? []), ...(input.pendingMoves ?? []).map((m) => m.from)]);
  const notSeen = new Set((input.pendingMoves ?? []).map((m) => m.to));
  const rows: FileRecord[] = [];
  for (const file of scan) {
    if (keepOld.has(file.path) || notSeen.has(file.path)) continue;
    const old = previousByPath.get(file.path);
    const unchanged = old && old.size === file.size && sameMtime(file.mtimeMs, old.mtime);
    // A new inode at the recorded path with the recorded size and mtime is the same file (unstable inodes):
    // its row takes the new number, and keeps its ETag unless the plan doubted what its key holds.
    const sameFile = unchanged && (old.inode === file.inode || !input.doubtful?.has(file.path));
    rows.push({
      path: file.path,
      inode: file.inode,
      size: file.size,
      mtime: file.mtimeMs / 1000,
      synced: sameFile ? old.synced : input.now,
      etag: input.proven?.get(file.path) || (sameFile && old.etag) || etagFromListing(input, file),
    });
  }
  for (const path of keepOld) {
    const old = previousByPath.get(path);
    if (old) rows.push(old);
  }
  return rows;
}

/** The listed ETag, when the object is the one aws would consider this file (same test as the move rules). */
function etagFromListing(input: RecordInput, file: ScannedFile): string | null {
  const object = input.objects?.get(keyFor(input.prefix, file.path));
  if (!object || object.size !== file.size) return null;
  return Math.floor(object.lastModifiedMs / 1000) >= Math.floor(file.mtimeMs / 1000) ? object.etag : null;
}
