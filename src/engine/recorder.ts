// What the DB may believe after a run (DESIGN.md): only what happened. Pure: previous rows (with the
// executed moves already applied) + scan + what aws reported → the rows to write and to delete. Both sides
// are walked in path order, so a pass where nothing changed holds no map of paths and writes nothing.
import { keyFor } from "./keys";
import { sameMtime } from "./move-rules";
import { walkByPath } from "./path-order";
import type { FileRecord, S3ObjectInfo, ScannedFile } from "./types";

export interface RecordInput {
  /** DB rows after executed moves were applied, in path order (an array may come in any order). */
  previous: Iterable<FileRecord>;
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
  doubtful?: { has(path: string): boolean };
  /** ETags proven by hashing to be those of the file now at the path (content-proven moves and copies). */
  proven?: ReadonlyMap<string, string>;
  /** Seconds since the epoch. */
  now: number;
}

/** What to change in `files` so that it holds the state this run may record. */
export interface RecordChanges {
  /** New rows and rows that differ from the stored one, in path order. */
  upserts: FileRecord[];
  /** Paths whose row goes. */
  deletes: string[];
}

export function recordChanges(input: RecordInput): RecordChanges {
  const changes: RecordChanges = { upserts: [], deletes: [] };
  if (input.outcome === "not-synced" && !input.baseline) return changes;

  const keepOld = new Set([...(input.skippedPaths ?? []), ...(input.pendingMoves ?? []).map((m) => m.from)]);
  const notSeen = new Set((input.pendingMoves ?? []).map((m) => m.to));
  walkByPath(
    input.scan,
    input.previous,
    (file, old) => {
      if (keepOld.has(file.path)) return;
      if (notSeen.has(file.path)) {
        if (old) changes.deletes.push(old.path);
        return;
      }
      const unchanged = old && old.size === file.size && sameMtime(file.mtimeMs, old.mtime);
      // A new inode at the recorded path with the recorded size and mtime is the same file (unstable inodes):
      // its row takes the new number, and keeps its ETag unless the plan doubted what its key holds.
      const sameFile = unchanged && (old.inode === file.inode || !input.doubtful?.has(file.path));
      // An object aws uploaded this run is what the key holds now: its ETag, and the bucket's default encryption.
      const uploaded = etagFromListing(input, file);
      const kept = sameFile ? old : undefined;
      const row: FileRecord = {
        path: file.path,
        inode: file.inode,
        size: file.size,
        mtime: file.mtimeMs / 1000,
        synced: kept ? kept.synced : input.now,
        etag: input.proven?.get(file.path) || uploaded || kept?.etag || null,
        defaultSse:
          (input.proven?.has(file.path) ? kept?.defaultSse : uploaded !== null || kept?.defaultSse) || undefined,
      };
      if (!old || !sameRow(row, old)) changes.upserts.push(row);
    },
    (old) => {
      if (!keepOld.has(old.path)) changes.deletes.push(old.path);
    },
  );
  return changes;
}

function sameRow(a: FileRecord, b: FileRecord): boolean {
  return (
    a.inode === b.inode &&
    a.size === b.size &&
    a.mtime === b.mtime &&
    a.synced === b.synced &&
    (a.etag ?? null) === (b.etag ?? null) &&
    (a.defaultSse === true) === (b.defaultSse === true)
  );
}

/** The listed ETag, when the object is the one aws would consider this file (same test as the move rules). */
function etagFromListing(input: RecordInput, file: ScannedFile): string | null {
  const object = input.objects?.get(keyFor(input.prefix, file.path));
  if (!object || object.size !== file.size) return null;
  return Math.floor(object.lastModifiedMs / 1000) >= Math.floor(file.mtimeMs / 1000) ? object.etag : null;
}
