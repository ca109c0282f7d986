// Orders moves so that no copy overwrites a key that is still the source of another move.
// Moves form a functional graph (a key is the source of at most one move and the destination of at most
// one), so it is a set of chains and cycles. A chain runs from its end backwards; a cycle is opened by
// first copying one member's source to a temporary key. All copies come before any delete, and a key that
// is any move's destination is never deleted.
import type { PlannedMove } from "./planner";

/**
 * Version of the algorithm below. A journal stores the moves, not the schedule, and recomputes it on resume:
 * any change to how steps are numbered or ordered must bump this, so that an older journal is not finished
 * with another schedule than the one it journaled.
 */
export const SCHEDULER_VERSION = 1;

export interface CopyStep {
  kind: "copy";
  id: number;
  srcKey: string;
  dstKey: string;
  size: number;
  storageClass?: string;
  /** The source has the bucket's default encryption (PlannedMove.defaultSse); a temporary key's copy too. */
  defaultSse?: boolean;
  /** ETag the source must still have; for a copy out of a temporary key, taken from `etagFromStep`'s result. */
  ifMatchEtag?: string;
  etagFromStep?: number;
  /** Index into the planned moves, or null for the copy that opens a cycle. */
  moveIndex: number | null;
  /** Copies that must have succeeded (and been journaled) before this one starts. */
  after: number[];
  wave: number;
}

export interface DeleteStep {
  kind: "delete";
  id: number;
  key: string;
  /** The copy that must have succeeded before this key may go. */
  afterCopy: number;
}

export type MoveStep = CopyStep | DeleteStep;

/**
 * A batch's steps by id: copies 0…copies−1 (the moves' own, then the copies that open cycles), deletes
 * copies…copies+deletes−1. Steps are made on request, not held: a folder rename of a million files has two
 * million of them, and an object each cost about 170 MB for the whole batch.
 */
export interface MoveSchedule {
  readonly copies: number;
  readonly deletes: number;
  /** Copy ids grouped in waves; a wave starts once the previous one is done. */
  readonly waves: readonly (readonly number[])[];
  copy(id: number): CopyStep;
  /** The `index`-th delete step (id `copies + index`). */
  delete(index: number): DeleteStep;
  /** The move a copy makes, or null for a copy that opens a cycle. */
  moveIndexOf(copyId: number): number | null;
}

/** Shared by every step that waits for nothing: a batch of two million moves needs no two million arrays. */
const NO_STEPS: number[] = [];

/** A copy of a cycle member's source to a temporary key, which that member then copies from. */
interface TempCopy {
  dstKey: string;
  /** The move whose source it copies (its opener). */
  opener: number;
}

export function scheduleMoves(moves: readonly PlannedMove[], tempKey: (n: number) => string): MoveSchedule {
  const n = moves.length;
  const temps: TempCopy[] = [];
  /** Opener's move index → id of the temporary copy it reads. */
  const openedBy = new Map<number, number>();
  const srcKey = (id: number) => {
    if (id >= n) return moves[temps[id - n].opener].fromKey;
    const temp = openedBy.get(id);
    return temp === undefined ? moves[id].fromKey : temps[temp - n].dstKey;
  };
  const dstKey = (id: number) => (id >= n ? temps[id - n].dstKey : moves[id].toKey);
  /** Key → the copy that reads it, for the keys a copy also writes (only destinations are looked up). */
  const bySource = linkedSources(moves);

  // Open every cycle: copy one member's source aside, then that member copies from the temporary key.
  // `walk[id]` is 0 for a step no walk reached yet, else 1 + the id of the walk's first step (a cycle has at
  // least two moves, so there are at most half as many temporary copies as moves).
  const walk = new Int32Array(n + Math.floor(n / 2) + 1);
  for (let start = 0; start < n; start++) {
    if (walk[start] !== 0) continue;
    const mark = start + 1;
    let current: number | undefined = start;
    while (current !== undefined && walk[current] === 0) {
      walk[current] = mark;
      current = bySource.get(dstKey(current));
    }
    if (current !== undefined && walk[current] === mark) {
      const opener = current;
      const id = n + temps.length;
      temps.push({ dstKey: tempKey(temps.length), opener });
      walk[id] = mark;
      bySource.set(moves[opener].fromKey, id);
      openedBy.set(opener, id);
    }
  }

  // A copy waits for the copy that reads its destination; chains are now acyclic. Its wave is its depth.
  const copies = n + temps.length;
  const wave = new Int32Array(copies).fill(-1);
  const after = new Map<number, number[]>();
  const waves: number[][] = [];
  const chain: number[] = [];
  for (let step = 0; step < copies; step++) {
    // Walk iteratively: chains can be long (a folder of files renamed one slot along).
    let current: number | undefined = step;
    while (current !== undefined && wave[current] < 0) {
      chain.push(current);
      current = bySource.get(dstKey(current));
    }
    let depth = current !== undefined ? wave[current] : -1;
    for (let i = chain.length - 1; i >= 0; i--) {
      const link = chain[i];
      const reader = bySource.get(dstKey(link));
      const temp = link < n ? openedBy.get(link) : undefined;
      if (reader !== undefined || temp !== undefined) {
        const ids = reader !== undefined ? [reader] : [];
        if (temp !== undefined) ids.push(temp);
        after.set(link, ids);
      }
      wave[link] = ++depth;
    }
    chain.length = 0;
    (waves[wave[step]] ??= []).push(step);
  }

  // The opener of a cycle reads a temporary key: that goes once it is copied. A move's old key goes unless
  // another move writes it.
  const tempKeys = new Set(temps.map((t) => t.dstKey));
  const deleteAfter: number[] = [];
  for (let step = 0; step < copies; step++) {
    const key = srcKey(step);
    if (tempKeys.has(key) || (step < n && !bySource.has(key))) deleteAfter.push(step);
  }

  return {
    copies,
    deletes: deleteAfter.length,
    waves,
    copy(id) {
      const move = moves[id < n ? id : temps[id - n].opener];
      const temp = id < n ? openedBy.get(id) : undefined;
      const step: CopyStep = {
        kind: "copy",
        id,
        srcKey: srcKey(id),
        dstKey: dstKey(id),
        size: move.size,
        storageClass: move.storageClass,
        defaultSse: move.defaultSse,
        // An opener's ETag is the one its temporary copy reports.
        ifMatchEtag: temp === undefined ? move.etag : undefined,
        moveIndex: id < n ? id : null,
        after: after.get(id) ?? NO_STEPS,
        wave: wave[id],
      };
      if (temp !== undefined) step.etagFromStep = temp;
      return step;
    },
    delete(index) {
      const afterCopy = deleteAfter[index];
      return { kind: "delete", id: copies + index, key: srcKey(afterCopy), afterCopy };
    },
    moveIndexOf: (copyId) => (copyId < n ? copyId : null),
  };
}

/**
 * Each key that is both a move's source and a move's destination, with the move reading it. Found by
 * walking the moves in source order beside destination order: a set of every destination and a map of
 * every source took about 85 MB at a million moves, and a renamed folder has no such key at all.
 */
function linkedSources(moves: readonly Keys[]): Map<string, number> {
  const linked = new Map<string, number>();
  forEachLink(moves, (key, reader) => linked.set(key, reader));
  return linked;
}

/** Calls `link` for each key one move writes (`writer`) and another reads (`reader`). */
function forEachLink(moves: readonly Keys[], link: (key: string, reader: number, writer: number) => void): void {
  const bySource = keyOrder(moves, (move) => move.fromKey);
  const byDestination = keyOrder(moves, (move) => move.toKey);
  for (let s = 0, d = 0; s < bySource.length && d < byDestination.length;) {
    const source = moves[bySource[s]].fromKey;
    const destination = moves[byDestination[d]].toKey;
    if (source < destination) s++;
    else if (source > destination) d++;
    else link(source, bySource[s++], byDestination[d++]);
  }
}

type Keys = Pick<PlannedMove, "fromKey" | "toKey">;

/** Move indices in the order of `key`: one pass when they come in that order already, as a folder's do. */
function keyOrder(moves: readonly Keys[], key: (move: Keys) => string): Uint32Array {
  const order = new Uint32Array(moves.length);
  let sorted = true;
  for (let i = 0; i < moves.length; i++) {
    order[i] = i;
    if (sorted && i > 0 && key(moves[i - 1]) > key(moves[i])) sorted = false;
  }
  if (!sorted) order.sort((a, b) => compareStrings(key(moves[a]), key(moves[b])));
  return order;
}

const compareStrings = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Copies and deletes in a schedule (the journal checks a recomputed schedule by this). */
export function stepCount(schedule: MoveSchedule): number {
  return schedule.copies + schedule.deletes;
}

/** The steps a version-1 journal stored, served as a schedule (ids as that journal numbered them). */
export function storedSchedule(stored: { waves: CopyStep[][]; deletes: DeleteStep[] }): MoveSchedule {
  const byId = new Map<number, CopyStep>();
  for (const wave of stored.waves) for (const step of wave) byId.set(step.id, step);
  return {
    copies: byId.size,
    deletes: stored.deletes.length,
    waves: stored.waves.map((wave) => wave.map((step) => step.id)),
    copy: (id) => byId.get(id)!,
    delete: (index) => stored.deletes[index],
    moveIndexOf: (copyId) => byId.get(copyId)?.moveIndex ?? null,
  };
}

/**
 * Dependency groups: moves linked because one's destination is another's source (chains, swaps, cycles).
 * A group is applied whole or not at all; applying half of a swap would leave a key holding other bytes.
 * Returns a group number per move, numbered in order of first appearance.
 */
export function moveGroups(moves: readonly Keys[]): number[] {
  // Union-find over move indices, joined only where a key links two moves: no map of every key (a dry run
  // of a folder rename of a million files has no link at all).
  const parent = new Int32Array(moves.length);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]]; // halving keeps long chains short
    return i;
  };
  forEachLink(moves, (_key, reader, writer) => {
    const a = root(reader);
    const b = root(writer);
    if (a !== b) parent[a] = b;
  });
  const numbers = new Int32Array(moves.length).fill(-1);
  let next = 0;
  return moves.map((_, i) => {
    const r = root(i);
    if (numbers[r] < 0) numbers[r] = next++;
    return numbers[r];
  });
}

/** The moves `select` accepts, together with every move of their groups. */
export function selectMoveGroups<T extends Pick<PlannedMove, "from" | "to" | "fromKey" | "toKey">>(
  moves: readonly T[],
  select: (move: { from: string; to: string }) => boolean,
): T[] {
  const groups = moveGroups(moves);
  const chosen = new Set(groups.filter((_, i) => select(moves[i])));
  return moves.filter((_, i) => chosen.has(groups[i]));
}
