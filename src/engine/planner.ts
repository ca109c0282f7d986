// Planning is a pure function of (scan, DB, S3 listing): like rclone's rename map, collect candidates by
// inode, match them under the move rules, and let everything unmatched fall back to aws (never guess).
import { keyFor } from "./keys";
import {
  checkSourceObject,
  isArchived,
  isSingleLink,
  isUnchangedSinceRecorded,
  sameMtime,
  type RejectReason,
} from "./move-rules";
import type { FileRecord, S3ObjectInfo, ScannedFile } from "./types";

export interface PlanInput {
  scan: ScannedFile[];
  records: FileRecord[];
  prefix: string;
  /** aws's exclude test for a relative path (the scan already left excluded files out). */
  isExcluded: (path: string) => boolean;
  /** Moves the user chose not to make. */
  skippedMoves?: { from: string; to: string }[];
  /** The S3 listing of the prefix by key. Without it moves are planned unverified (status, previews). */
  objects?: ReadonlyMap<string, S3ObjectInfo>;
  /** What to do with moves whose source object is archived. */
  archivedMoves?: "wait" | "upload";
}

export interface PlannedMove {
  from: string;
  to: string;
  fromKey: string;
  toKey: string;
  inode: number;
  size: number;
  /** Recorded mtime, seconds. */
  mtime: number;
  /** ETag of the source object as listed (used for CopySourceIfMatch); absent when unverified. */
  etag?: string;
  storageClass?: string;
  /** ready: verified against S3; unverified: no listing given; archived: needs a restore first. */
  state: "ready" | "unverified" | "archived";
}

export interface RejectedMove {
  from: string;
  to: string;
  size: number;
  reason: RejectReason;
}

export interface Plan {
  moves: PlannedMove[];
  archived: PlannedMove[];
  rejected: RejectedMove[];
  newFiles: ScannedFile[];
  modified: ScannedFile[];
  deleted: FileRecord[];
  unchangedCount: number;
  /** Bytes that server-side moves save from being uploaded again. */
  bytesSaved: number;
}

function countBy<T>(items: readonly T[], key: (item: T) => number): Map<number, number> {
  const counts = new Map<number, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

export function planRun(input: PlanInput): Plan {
  const { scan, records, prefix, isExcluded, objects } = input;
  const recordByPath = new Map(records.map((r) => [r.path, r]));
  // The inode indexes cost as much as the path index on a million files, and are only needed once a file
  // is not at its recorded path: built on first use, so a pass where nothing moved never builds them.
  let inodeIndex:
    { linksNow: Map<number, number>; linksBefore: Map<number, number>; byInode: Map<number, FileRecord> } | undefined;
  const inodes = () => {
    if (!inodeIndex) {
      const byInode = new Map<number, FileRecord>();
      for (const r of records) if (!byInode.has(r.inode)) byInode.set(r.inode, r);
      inodeIndex = { linksNow: countBy(scan, (f) => f.inode), linksBefore: countBy(records, (r) => r.inode), byInode };
    }
    return inodeIndex;
  };
  const skipped = new Set((input.skippedMoves ?? []).map((s) => `${s.from}\0${s.to}`));

  const plan: Plan = {
    moves: [],
    archived: [],
    rejected: [],
    newFiles: [],
    modified: [],
    deleted: [],
    unchangedCount: 0,
    bytesSaved: 0,
  };
  const movedFrom = new Set<string>();
  const movedTo = new Set<string>();

  // The old side of a move: the row that held this inode at another path. Its path may be gone or hold
  // a new file now; the old key is moved either way (aws then uploads whatever sits at the old path).
  const candidateFor = (file: ScannedFile): FileRecord | undefined => {
    if (recordByPath.get(file.path)?.inode === file.inode) return undefined;
    const old = inodes().byInode.get(file.inode);
    return old && old.path !== file.path ? old : undefined;
  };

  for (const file of scan) {
    const old = candidateFor(file);
    if (!old) continue;
    const reject = (reason: RejectReason) =>
      plan.rejected.push({ from: old.path, to: file.path, size: old.size, reason });
    if (!isUnchangedSinceRecorded(file, old)) {
      reject("changed-since-recorded");
      continue;
    }
    const { linksNow, linksBefore } = inodes();
    if (!isSingleLink(linksNow.get(file.inode) ?? 0, linksBefore.get(file.inode) ?? 0)) {
      reject("hard-link");
      continue;
    }
    if (isExcluded(old.path)) {
      reject("excluded");
      continue;
    }
    if (skipped.has(`${old.path}\0${file.path}`)) {
      reject("skipped-by-user");
      continue;
    }
    const move: PlannedMove = {
      from: old.path,
      to: file.path,
      fromKey: keyFor(prefix, old.path),
      toKey: keyFor(prefix, file.path),
      inode: file.inode,
      size: old.size,
      mtime: old.mtime,
      state: "unverified",
    };
    if (objects) {
      const object = objects.get(move.fromKey);
      const problem = checkSourceObject(object, old);
      if (problem) {
        reject(problem);
        continue;
      }
      move.etag = object!.etag;
      move.storageClass = object!.storageClass;
      if (isArchived(object!)) {
        if (input.archivedMoves === "upload") continue;
        move.state = "archived";
        plan.archived.push(move);
        continue;
      }
      move.state = "ready";
    }
    plan.moves.push(move);
    plan.bytesSaved += move.size;
    movedFrom.add(move.from);
    movedTo.add(move.to);
  }
  holdMovesOntoArchivedSources(plan);
  for (const move of plan.archived) {
    movedFrom.add(move.from);
    movedTo.add(move.to);
  }

  for (const file of scan) {
    if (movedTo.has(file.path)) continue;
    const recorded = recordByPath.get(file.path);
    if (!recorded) plan.newFiles.push(file);
    else if (movedFrom.has(file.path) || file.size !== recorded.size || !sameMtime(file.mtimeMs, recorded.mtime))
      plan.modified.push(file);
    else plan.unchangedCount++;
  }
  const scanPaths = new Set(scan.map((f) => f.path));
  for (const r of records) {
    if (!scanPaths.has(r.path) && !movedFrom.has(r.path) && !isExcluded(r.path)) plan.deleted.push(r);
  }
  return plan;
}

/**
 * A move onto the old key of a move that waits for a restore would overwrite the archived object (and a
 * move onto that move's old key would overwrite it in turn): such moves wait with it, and aws leaves their
 * paths alone too. Once the restore completes, the chain runs in order.
 */
function holdMovesOntoArchivedSources(plan: Plan): void {
  const held = new Set(plan.archived.map((m) => m.fromKey));
  let changed = held.size > 0;
  while (changed) {
    changed = false;
    for (const move of plan.moves) {
      if (!held.has(move.toKey) || held.has(move.fromKey)) continue;
      held.add(move.fromKey);
      plan.archived.push({ ...move, state: "archived" });
      plan.bytesSaved -= move.size;
      changed = true;
    }
  }
  if (plan.archived.length > 0) plan.moves = plan.moves.filter((m) => !held.has(m.fromKey));
}
