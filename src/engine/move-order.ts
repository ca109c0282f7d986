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

export interface MoveSchedule {
  /** Copies grouped in waves; a wave starts once the previous one is done. */
  waves: CopyStep[][];
  deletes: DeleteStep[];
}

/** Shared by every step that waits for nothing: a batch of two million moves needs no two million arrays. */
const NO_STEPS: number[] = [];

export function scheduleMoves(moves: readonly PlannedMove[], tempKey: (n: number) => string): MoveSchedule {
  const copies: CopyStep[] = moves.map((m, i) => ({
    kind: "copy",
    id: i,
    srcKey: m.fromKey,
    dstKey: m.toKey,
    size: m.size,
    storageClass: m.storageClass,
    defaultSse: m.defaultSse,
    ifMatchEtag: m.etag,
    moveIndex: i,
    after: NO_STEPS,
    wave: -1,
  }));
  const destinations = new Set<string>();
  const bySource = new Map<string, CopyStep>();
  for (const c of copies) {
    destinations.add(c.dstKey);
    bySource.set(c.srcKey, c);
  }

  // Open every cycle: copy one member's source aside, then that member copies from the temporary key.
  // `walk[id]` is 0 for a step no walk reached yet, else 1 + the id of the walk's first step (a cycle has at
  // least two moves, so there are at most half as many temporary copies as moves).
  const walk = new Int32Array(copies.length + Math.floor(copies.length / 2) + 1);
  const tempCopies: CopyStep[] = [];
  for (const start of copies) {
    if (walk[start.id] !== 0) continue;
    const mark = start.id + 1;
    let current: CopyStep | undefined = start;
    while (current && walk[current.id] === 0) {
      walk[current.id] = mark;
      current = bySource.get(current.dstKey);
    }
    if (current && walk[current.id] === mark) {
      const opener = current;
      const temp: CopyStep = {
        kind: "copy",
        id: copies.length + tempCopies.length,
        srcKey: opener.srcKey,
        dstKey: tempKey(tempCopies.length),
        size: opener.size,
        storageClass: opener.storageClass,
        defaultSse: opener.defaultSse,
        ifMatchEtag: opener.ifMatchEtag,
        moveIndex: null,
        after: NO_STEPS,
        wave: -1,
      };
      tempCopies.push(temp);
      walk[temp.id] = mark;
      bySource.set(opener.srcKey, temp);
      opener.srcKey = temp.dstKey;
      opener.ifMatchEtag = undefined;
      opener.etagFromStep = temp.id;
    }
  }

  // A copy waits for the copy that reads its destination; chains are now acyclic. Its wave is its depth.
  const all = copies.concat(tempCopies);
  const chain: CopyStep[] = [];
  const waves: CopyStep[][] = [];
  for (const step of all) {
    // Walk iteratively: chains can be long (a folder of files renamed one slot along).
    let current: CopyStep | undefined = step;
    while (current && current.wave < 0) {
      chain.push(current);
      current = bySource.get(current.dstKey);
    }
    let depth = current ? current.wave : -1;
    for (let i = chain.length - 1; i >= 0; i--) {
      const link = chain[i];
      const reader = bySource.get(link.dstKey);
      if (reader || link.etagFromStep !== undefined) {
        link.after = reader ? [reader.id] : [];
        if (link.etagFromStep !== undefined) link.after.push(link.etagFromStep);
      }
      link.wave = ++depth;
    }
    chain.length = 0;
    (waves[step.wave] ??= []).push(step);
  }

  const tempKeys = new Set(tempCopies.map((t) => t.dstKey));
  const deletes: DeleteStep[] = [];
  for (const step of all) {
    // The opener of a cycle reads a temporary key: that goes once it is copied. A move's old key goes
    // unless another move writes it.
    const key = step.srcKey;
    if (tempKeys.has(key) || (step.moveIndex !== null && !destinations.has(key))) {
      deletes.push({ kind: "delete", id: all.length + deletes.length, key, afterCopy: step.id });
    }
  }
  return { waves, deletes };
}

/** Copies and deletes in a schedule (the journal checks a recomputed schedule by this). */
export function stepCount(schedule: MoveSchedule): number {
  return schedule.waves.reduce((n, wave) => n + wave.length, 0) + schedule.deletes.length;
}

/**
 * Dependency groups: moves linked because one's destination is another's source (chains, swaps, cycles).
 * A group is applied whole or not at all; applying half of a swap would leave a key holding other bytes.
 * Returns a group number per move, numbered in order of first appearance.
 */
export function moveGroups(moves: readonly Pick<PlannedMove, "fromKey" | "toKey">[]): number[] {
  const parent = new Map<string, string>();
  const find = (key: string): string => {
    let root = key;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    // Path compression keeps long chains (a folder renamed one slot along) linear.
    for (let k = key; k !== root;) {
      const next = parent.get(k)!;
      parent.set(k, root);
      k = next;
    }
    return root;
  };
  for (const m of moves) {
    if (!parent.has(m.fromKey)) parent.set(m.fromKey, m.fromKey);
    if (!parent.has(m.toKey)) parent.set(m.toKey, m.toKey);
    const a = find(m.fromKey);
    const b = find(m.toKey);
    if (a !== b) parent.set(a, b);
  }
  const numbers = new Map<string, number>();
  return moves.map((m) => {
    const root = find(m.fromKey);
    let n = numbers.get(root);
    if (n === undefined) numbers.set(root, (n = numbers.size));
    return n;
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
