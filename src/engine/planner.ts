// Planning is a pure function of (scan, DB, S3 listing): like rclone's rename map, collect candidates by
// inode, match them under the move rules, and let everything unmatched fall back to aws (never guess).
import { keyFor } from "./keys";
import { checkSourceObject, isArchived, isUnchangedSinceRecorded, sameMtime, type RejectReason } from "./move-rules";
import type { ProofKind } from "./content-proof";
import { walkByPath } from "./path-order";
import type { FileRecord, S3ObjectInfo, ScannedFile } from "./types";

/** Same size and mtime as the row: the file aws would consider unchanged there, whatever its inode. */
function isSameFileAtPath(file: ScannedFile, recorded: FileRecord): boolean {
  return file.size === recorded.size && sameMtime(file.mtimeMs, recorded.mtime);
}

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
  /**
   * The source object is the one the DB recorded as written by aws or by a plain copy of ours (same ETag):
   * it has the bucket's default encryption, so copying it without encryption settings keeps that.
   */
  defaultSse?: boolean;
  /** ready: verified against S3; unverified: no listing given; archived: needs a restore first. */
  state: "ready" | "unverified" | "archived";
  /**
   * What the move rests on: the recorded inode, size and mtime (inode), that plus a content proof
   * (inode+hash), a content proof alone (hash; see content-pairing.ts), or one against another target's
   * object (cross-target). Absent means inode.
   */
  evidence?: MoveEvidence;
  /** How the content was proven equal to the source object. */
  proof?: ProofKind;
  /** A server-side copy: the source object stays where it is (its file is still there). */
  copy?: boolean;
  /** A copy from another target of the batch (cross-target): that target's name and bucket; `from` is its path. */
  fromTarget?: string;
  fromBucket?: string;
}

/** cross-target: a content proof against an object another target of the batch is about to delete. */
export type MoveEvidence = "inode" | "inode+hash" | "hash" | "cross-target";

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
  /**
   * Files whose key may hold other bytes than the file itself with the same size, which aws would keep:
   * the ends of rename candidates (unless the file is the one recorded there), and files replaced by a
   * same-size file dated no later than the last sync. A planned move that completes makes its destination
   * right; for the others the invalidation step asks the bucket (see invalidation.ts).
   */
  unsure: ScannedFile[];
  /** Server-side copies from objects that stay, proven by content (the prove stage adds them). */
  copies?: PlannedMove[];
}

// Roles of a path in the plan's moves (bit flags).
const MOVED_FROM = 1;
const MOVED_TO = 2;
/** An end of a move that waits for a restore: aws leaves it alone. */
const WAITING = 4;
/** An end of a planned or rejected move: its key may hold another file's bytes. */
const CANDIDATE_END = 8;

/** Rejections whose old object still holds the file's current bytes: no other move may overwrite it. */
const HOLDS_GROUP = new Set<RejectReason>(["skipped-by-user", "hard-link"]);

/** aws compares with the object's LastModified, which a sync sets a little before it records `synced`. */
const SYNC_CLOCK_SLACK_SECONDS = 2;

/** A plan with nothing in it. */
function emptyPlan(): Plan {
  return {
    moves: [],
    archived: [],
    rejected: [],
    newFiles: [],
    modified: [],
    deleted: [],
    unchangedCount: 0,
    bytesSaved: 0,
    unsure: [],
  };
}

export function planRun(input: PlanInput): Plan {
  return buildPlan(input, false)!;
}

/**
 * The plan when it has no move to make; undefined as soon as a candidate passes the rules (one a group
 * would hold back counts too), without making the rest. A run verifies its moves against the bucket's
 * listing and plans them then: a plan of a million unverified moves need not be made first.
 */
export function planUnlessMoves(input: PlanInput): Plan | undefined {
  return buildPlan(input, true);
}

/** The plan; with `probe`, undefined at the first move found. */
function buildPlan(input: PlanInput, probe: boolean): Plan | undefined {
  const { scan, records, prefix, isExcluded, objects } = input;
  // Scan and records side by side in path order, without a map of a million paths: each path of either
  // has a slot, in path order, holding its file, its row, or both. Sized once (then trimmed): arrays grown
  // to two million slots each left their outgrown copies in the heap until a full collection.
  const slotFile: (ScannedFile | undefined)[] = new Array(scan.length + records.length);
  const slotRow: (FileRecord | undefined)[] = new Array(scan.length + records.length);
  let slots = 0;
  walkByPath(
    scan,
    records,
    (file, row) => {
      slotFile[slots] = file;
      slotRow[slots++] = row;
    },
    (row) => {
      slotFile[slots] = undefined;
      slotRow[slots++] = row;
    },
  );
  slotFile.length = slotRow.length = slots;
  // The inode index is only needed once a file is not at its recorded path: built on first use, so a pass
  // where nothing moved never builds it.
  let inodeIndex: InodeIndex | undefined;
  const inodes = () => (inodeIndex ??= new InodeIndex(slotRow, scan));
  /** The slot of the row that held this inode, or -1. */
  const recordedSlot = (inode: number): number => inodes().slotOf(inode);
  const skipped = new Set((input.skippedMoves ?? []).map((s) => `${s.from}\0${s.to}`));

  const plan = emptyPlan();
  // Each candidate's two slots (old path, new path), beside plan.moves, plan.archived and plan.rejected.
  const ends: CandidateEnds = { moves: new SlotPairs(), archived: new SlotPairs(), rejected: new SlotPairs() };

  // The old side of a move: the row that held this inode at another path. Its path may be gone or hold
  // a new file now; the old key is moved either way (aws then uploads whatever sits at the old path).
  const candidateFor = (file: ScannedFile, here: FileRecord | undefined): number => {
    if (file.size === 0) return -1;
    if (here?.inode === file.inode) return -1;
    const slot = recordedSlot(file.inode);
    if (slot < 0 || slotRow[slot]!.path === file.path) return -1;
    if (isRecordedHere(file, here)) return -1;
    return slot;
  };
  // Unstable inodes (exFAT, a remount, a file copied over itself): a file at its recorded path with the
  // recorded size and mtime is that file, whatever its number now, unless the number also names another
  // row it matches as well (a swap of look-alikes: a tie, which only content can break).
  const isRecordedHere = (file: ScannedFile, here: FileRecord | undefined): boolean => {
    if (!here || !isSameFileAtPath(file, here)) return false;
    if (here.inode === file.inode) return true;
    const slot = recordedSlot(file.inode);
    const other = slot < 0 ? undefined : slotRow[slot]!;
    return !other || other.path === file.path || !isSameFileAtPath(file, other);
  };

  for (let to = 0; to < slotFile.length; to++) {
    const file = slotFile[to];
    if (!file) continue;
    const from = candidateFor(file, slotRow[to]);
    if (from < 0) continue;
    const old = slotRow[from]!;
    const reject = (reason: RejectReason) => {
      plan.rejected.push({ from: old.path, to: file.path, size: old.size, reason });
      ends.rejected.push(from, to);
    };
    if (!isUnchangedSinceRecorded(file, old)) {
      reject("changed-since-recorded");
      continue;
    }
    if (inodes().linked.has(file.inode)) {
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
      // Set below when listed; named here so that every move has one shape (a million of them).
      etag: undefined,
      storageClass: undefined,
      defaultSse: undefined,
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
      if (old.defaultSse && old.etag === object!.etag) move.defaultSse = true;
      if (isArchived(object!)) {
        if (input.archivedMoves === "upload") continue;
        move.state = "archived";
        plan.archived.push(move);
        ends.archived.push(from, to);
        continue;
      }
      move.state = "ready";
    }
    if (probe) return undefined;
    plan.moves.push(move);
    ends.moves.push(from, to);
  }
  holdMovesOntoArchivedSources(plan, ends);
  holdMovesOntoHeldSources(plan, ends, prefix);
  for (const move of plan.moves) plan.bytesSaved += move.size;
  // What each path is to the candidates, a byte per slot (a folder rename of a million files has two
  // million ends: a map of them by path cost about 100 MB).
  const roles = new Uint8Array(slotFile.length);
  const mark = (pairs: SlotPairs, fromRole: number, toRole: number) => {
    for (let i = 0; i < pairs.length; i += 2) {
      roles[pairs.at(i)] |= fromRole;
      roles[pairs.at(i + 1)] |= toRole;
    }
  };
  mark(ends.moves, MOVED_FROM | CANDIDATE_END, MOVED_TO | CANDIDATE_END);
  mark(ends.archived, MOVED_FROM | WAITING, MOVED_TO | WAITING);
  mark(ends.rejected, CANDIDATE_END, CANDIDATE_END);

  for (let slot = 0; slot < slotFile.length; slot++) {
    const file = slotFile[slot];
    const recorded = slotRow[slot];
    const is = (role: number) => (roles[slot] & role) !== 0;
    if (!file) {
      if (!is(MOVED_FROM) && !isExcluded(recorded!.path)) plan.deleted.push(recorded!);
      continue;
    }
    // aws leaves the paths of moves waiting for a restore alone; anything else at a candidate's end may
    // sit on a key holding another file's bytes, unless it is the very file recorded there (by the same
    // rule as above when its number changed: a file copied over itself whose old number a new file took).
    if (is(CANDIDATE_END) && !is(WAITING) && !isRecordedHere(file, recorded)) plan.unsure.push(file);
    if (is(MOVED_TO)) continue;
    if (!recorded) plan.newFiles.push(file);
    else if (is(MOVED_FROM) || file.size !== recorded.size || !sameMtime(file.mtimeMs, recorded.mtime)) {
      plan.modified.push(file);
      // Replaced by another file of the same size dated before the last sync: aws's size and date test
      // would keep the old object (plain aws keeps it too; the DB knows better).
      if (
        !is(CANDIDATE_END) &&
        file.size === recorded.size &&
        file.mtimeMs / 1000 <= recorded.synced + SYNC_CLOCK_SLACK_SECONDS
      )
        plan.unsure.push(file);
    } else plan.unchangedCount++;
  }
  return plan;
}

/**
 * The slots of the recorded rows by inode: their numbers sorted in a typed array, searched by bisection. A
 * Map of a million numbers (and a Set to find the scan's links) took 81 MiB of heap while a folder rename's
 * moves were made, the peak of its plan; these arrays take 12 bytes a row.
 */
class InodeIndex {
  /** Inodes of the rows, ascending; a number held by several rows once per row, the first path's first. */
  private readonly inodes: Float64Array;
  private readonly slots: Int32Array;
  /** Numbers at more than one path, before or now (hard links are never moves). */
  readonly linked = new Set<number>();

  constructor(slotRow: readonly (FileRecord | undefined)[], scan: readonly ScannedFile[]) {
    // Zero-length files are never matched by inode: nothing to save, and exFAT gives them all one number.
    let count = 0;
    for (const row of slotRow) if (row && row.size > 0) count++;
    const slots = new Int32Array(count);
    count = 0;
    for (let slot = 0; slot < slotRow.length; slot++)
      if (slotRow[slot] && slotRow[slot]!.size > 0) slots[count++] = slot;
    slots.sort((a, b) => slotRow[a]!.inode - slotRow[b]!.inode || a - b);
    this.slots = slots;
    this.inodes = Float64Array.from(slots, (slot) => slotRow[slot]!.inode);
    for (let i = 1; i < count; i++) if (this.inodes[i] === this.inodes[i - 1]) this.linked.add(this.inodes[i]);
    const seen = new Uint8Array(count);
    for (const file of scan) {
      if (file.size === 0) continue;
      const at = this.firstAt(file.inode);
      if (at < 0) continue;
      if (seen[at]) this.linked.add(file.inode);
      else seen[at] = 1;
    }
  }

  /** The slot of the first row (in path order) that held this inode, or -1. */
  slotOf(inode: number): number {
    const at = this.firstAt(inode);
    return at < 0 ? -1 : this.slots[at];
  }

  private firstAt(inode: number): number {
    const inodes = this.inodes;
    let low = 0;
    let high = inodes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (inodes[middle] < inode) low = middle + 1;
      else high = middle;
    }
    return low < inodes.length && inodes[low] === inode ? low : -1;
  }
}

/** The slots (old path, new path) of each candidate, pairwise, in the order of its list in the plan. */
interface CandidateEnds {
  moves: SlotPairs;
  archived: SlotPairs;
  rejected: SlotPairs;
}

/**
 * Slot numbers, two per candidate, in a typed array grown by doubling: a folder rename of a million files
 * has two million, whose array's outgrown copies would stay in the heap until a full collection.
 */
class SlotPairs {
  private slots = new Int32Array(64);
  length = 0;

  push(from: number, to: number): void {
    if (this.length + 2 > this.slots.length) {
      const grown = new Int32Array(this.slots.length * 2);
      grown.set(this.slots);
      this.slots = grown;
    }
    this.slots[this.length++] = from;
    this.slots[this.length++] = to;
  }

  at(index: number): number {
    return this.slots[index];
  }
}

/**
 * The planned moves that would overwrite one of `keys`, then those that would overwrite their old keys, and
 * so on up the chain. Planned moves form a functional graph (a key is the destination of at most one move).
 */
function movesOnto(moves: readonly PlannedMove[], keys: Iterable<string>): Set<PlannedMove> {
  const held = new Set<PlannedMove>();
  const queue = [...keys];
  // Usually nothing is held: no map of a million destinations (and a pair per move) for it.
  if (queue.length === 0) return held;
  const byDestination = new Map<string, PlannedMove>();
  for (const m of moves) byDestination.set(m.toKey, m);
  for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
    const move = byDestination.get(key);
    if (!move || held.has(move)) continue;
    held.add(move);
    queue.push(move.fromKey);
  }
  return held;
}

/** Takes `held` out of the plan's moves, handing each (in the set's order) with its ends to `add`. */
function takeHeld(
  plan: Plan,
  ends: CandidateEnds,
  held: ReadonlySet<PlannedMove>,
  add: (move: PlannedMove, from: number, to: number) => void,
): void {
  const index = new Map<PlannedMove, number>();
  const moves: PlannedMove[] = [];
  const moveEnds = new SlotPairs();
  plan.moves.forEach((move, i) => {
    if (held.has(move)) index.set(move, i);
    else {
      moves.push(move);
      moveEnds.push(ends.moves.at(2 * i), ends.moves.at(2 * i + 1));
    }
  });
  for (const move of held) {
    const i = index.get(move)!;
    add(move, ends.moves.at(2 * i), ends.moves.at(2 * i + 1));
  }
  plan.moves = moves;
  ends.moves = moveEnds;
}

/**
 * A move onto the old key of a move that waits for a restore would overwrite the archived object (and a
 * move onto that move's old key would overwrite it in turn): such moves wait with it, and aws leaves their
 * paths alone too. Once the restore completes, the chain runs in order.
 */
function holdMovesOntoArchivedSources(plan: Plan, ends: CandidateEnds): void {
  const held = movesOnto(
    plan.moves,
    plan.archived.map((m) => m.fromKey),
  );
  if (held.size === 0) return;
  takeHeld(plan, ends, held, (move, from, to) => {
    plan.archived.push({ ...move, state: "archived" });
    ends.archived.push(from, to);
  });
}

/**
 * A group is not run by halves: a move onto the old key of a candidate the user skipped (or a hard link),
 * whose object still holds that file's bytes, is not made either, nor the moves onto its own old key.
 * Their files are uploaded by aws like the skipped one (the invalidation step sees to their keys).
 */
function holdMovesOntoHeldSources(plan: Plan, ends: CandidateEnds, prefix: string): void {
  const keys = plan.rejected.filter((r) => HOLDS_GROUP.has(r.reason)).map((r) => keyFor(prefix, r.from));
  const held = movesOnto(plan.moves, keys);
  if (held.size === 0) return;
  takeHeld(plan, ends, held, (move, from, to) => {
    plan.rejected.push({ from: move.from, to: move.to, size: move.size, reason: "held-with-group" });
    ends.rejected.push(from, to);
  });
}
