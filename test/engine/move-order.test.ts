import { describe, expect, it } from "vitest";
import {
  moveGroups,
  SCHEDULER_VERSION,
  scheduleMoves,
  selectMoveGroups,
  type CopyStep,
  type MoveSchedule,
} from "../../src/engine/move-order";
import type { PlannedMove } from "../../src/engine/planner";
import { stepsOf } from "../support/schedule-steps";

function move(from: string, to: string, etag = `etag-${from}`): PlannedMove {
  return { from, to, fromKey: from, toKey: to, inode: 1, size: 10, mtime: 0, etag, state: "ready" };
}
const temp = (n: number) => `.s3-smart-sync-tmp/run/${n}`;

/** Shuffles in place with a fixed seed (Park–Miller numbers), so that a failure repeats; the seed carries on. */
function seededShuffle(seed: number): <T>(items: T[]) => T[] {
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  return (items) => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  };
}

/** Executes a schedule on a fake bucket (key → content) the way the mover does: waves, then deletes. */
function execute(schedule: MoveSchedule, bucket: Map<string, string>): string[] {
  const log: string[] = [];
  const { waves, deletes } = stepsOf(schedule);
  for (const wave of waves) {
    // Copies of one wave run concurrently: read all sources first.
    const reads = wave.map((c: CopyStep) => [c, bucket.get(c.srcKey)] as const);
    for (const [c, content] of reads) {
      if (content === undefined) throw new Error(`copy from missing ${c.srcKey}`);
      bucket.set(c.dstKey, content);
      log.push(`copy ${c.srcKey}>${c.dstKey}`);
    }
  }
  for (const d of deletes) {
    bucket.delete(d.key);
    log.push(`delete ${d.key}`);
  }
  return log;
}

describe("scheduleMoves", () => {
  it("runs independent moves in one wave and deletes each old key after", () => {
    const s = stepsOf(scheduleMoves([move("a", "A"), move("b", "B")], temp));
    expect(s.waves.map((w) => w.map((c) => c.srcKey))).toEqual([["a", "b"]]);
    expect(s.deletes.map((d) => d.key)).toEqual(["a", "b"]);
  });

  it("orders a chain from its end so nothing is overwritten before it is copied", () => {
    const bucket = new Map([
      ["a", "A-bytes"],
      ["b", "B-bytes"],
      ["c", "C-bytes"],
    ]);
    const s = scheduleMoves([move("a", "b"), move("b", "c"), move("c", "d")], temp);
    execute(s, bucket);
    expect(Object.fromEntries(bucket)).toEqual({ b: "A-bytes", c: "B-bytes", d: "C-bytes" });
    expect(stepsOf(s).deletes.map((d) => d.key)).toEqual(["a"]);
  });

  it("opens a swap through a temporary key and cleans it up", () => {
    const bucket = new Map([
      ["x", "X"],
      ["y", "Y"],
    ]);
    const s = scheduleMoves([move("x", "y"), move("y", "x")], temp);
    const log = execute(s, bucket);
    expect(Object.fromEntries(bucket)).toEqual({ x: "Y", y: "X" });
    expect(log[0]).toBe(`copy x>${temp(0)}`);
    expect(log.at(-1)).toBe(`delete ${temp(0)}`);
    const { waves } = stepsOf(s);
    const opener = waves.flat().find((c) => c.srcKey === temp(0))!;
    expect(opener.ifMatchEtag).toBeUndefined();
    expect(opener.etagFromStep).toBe(waves[0][0].id);
  });

  it("resolves a longer cycle with a chain hanging off it", () => {
    const bucket = new Map([
      ["1", "one"],
      ["2", "two"],
      ["3", "three"],
      ["t", "tail"],
    ]);
    const s = scheduleMoves([move("1", "2"), move("2", "3"), move("3", "1"), move("t", "u")], temp);
    execute(s, bucket);
    expect(Object.fromEntries(bucket)).toEqual({ "1": "three", "2": "one", "3": "two", u: "tail" });
  });

  it("never deletes a key that is a move's destination", () => {
    const moves = [move("a", "b"), move("b", "a"), move("c", "d"), move("d", "e")];
    const s = stepsOf(scheduleMoves(moves, temp));
    const destinations = new Set(moves.map((m) => m.toKey));
    for (const d of s.deletes) expect(destinations.has(d.key)).toBe(false);
  });

  it("handles many cycles and long chains", () => {
    const moves: PlannedMove[] = [];
    const bucket = new Map<string, string>();
    for (let i = 0; i < 50; i++) {
      moves.push(move(`p${i}`, `q${i}`), move(`q${i}`, `p${i}`));
      bucket.set(`p${i}`, `P${i}`).set(`q${i}`, `Q${i}`);
    }
    for (let i = 0; i < 500; i++) {
      moves.push(move(`chain${i}`, `chain${i + 1}`));
      bucket.set(`chain${i}`, `C${i}`);
    }
    const s = scheduleMoves(moves, temp);
    execute(s, bucket);
    for (let i = 0; i < 50; i++) {
      expect(bucket.get(`p${i}`)).toBe(`Q${i}`);
      expect(bucket.get(`q${i}`)).toBe(`P${i}`);
    }
    for (let i = 0; i < 500; i++) expect(bucket.get(`chain${i + 1}`)).toBe(`C${i}`);
    expect(bucket.has("chain0")).toBe(false);
    expect([...bucket.keys()].some((k) => k.startsWith(".s3-smart-sync-tmp"))).toBe(false);
  });

  it("finds chains, swaps and cycles among moves given in any order, with any characters in their keys", () => {
    // The keys sort differently by code unit and by name.
    const shuffle = seededShuffle(7);
    for (let round = 0; round < 20; round++) {
      const moves: PlannedMove[] = [];
      const bucket = new Map<string, string>();
      const expected = new Map<string, string>();
      const names = ["Été/a", "ete/b", "É/c", "z", "Z/ü", "日本/d", "a b/é", "A/a"].map((name) => `${name}${round}`);
      // A cycle of three, a swap, a chain of three hanging off nothing, and a move on its own.
      const [c1, c2, c3, s1, s2, h1, h2, h3] = names;
      for (const [from, to] of [
        [c1, c2],
        [c2, c3],
        [c3, c1],
        [s1, s2],
        [s2, s1],
        [h1, h2],
        [h2, h3],
      ])
        moves.push(move(from, to));
      moves.push(move(h3, `${h3}/new`));
      for (const name of names) bucket.set(name, name.toUpperCase());
      for (const m of moves) expected.set(m.toKey, m.fromKey.toUpperCase());
      execute(scheduleMoves(shuffle(moves), temp), bucket);
      expect(bucket).toEqual(expected);
    }
  });

  it("numbers and orders the steps as scheduler version 1 did (a journal recomputes them on resume)", () => {
    // Written down from the version-1 scheduler, whose steps were objects held for the whole batch.
    const s = scheduleMoves(
      [
        ...[
          ["a", "b"],
          ["b", "c"],
        ],
        ...[
          ["x", "y"],
          ["y", "x"],
        ],
        ...[
          ["1", "2"],
          ["2", "3"],
          ["3", "1"],
        ],
        ["solo", "SOLO"],
      ].map(([from, to]) => move(from, to)),
      (n) => `tmp/${n}`,
    );
    expect(SCHEDULER_VERSION).toBe(1);
    const { waves, deletes } = stepsOf(s);
    expect(waves.map((w) => w.map((c) => [c.id, c.srcKey, c.dstKey, c.after, c.etagFromStep ?? null]))).toEqual([
      [
        [1, "b", "c", [], null],
        [7, "solo", "SOLO", [], null],
        [8, "x", "tmp/0", [], null],
        [9, "1", "tmp/1", [], null],
      ],
      [
        [0, "a", "b", [1], null],
        [3, "y", "x", [8], null],
        [6, "3", "1", [9], null],
      ],
      [
        [2, "tmp/0", "y", [3, 8], 8],
        [5, "2", "3", [6], null],
      ],
      [[4, "tmp/1", "2", [5, 9], 9]],
    ]);
    expect(deletes.map((d) => [d.id, d.key, d.afterCopy])).toEqual([
      [10, "a", 0],
      [11, "tmp/0", 2],
      [12, "tmp/1", 4],
      [13, "solo", 7],
    ]);
    expect([...Array(s.copies).keys()].map((id) => s.moveIndexOf(id))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, null, null]);
  });

  it("makes every copy wait for the copy that reads its destination", () => {
    const [first, second] = stepsOf(scheduleMoves([move("a", "b"), move("b", "c")], temp)).waves;
    expect(first.map((c) => c.srcKey)).toEqual(["b"]);
    expect(second[0].after).toEqual([first[0].id]);
  });
});

describe("moveGroups", () => {
  it("puts a chain, a swap and a cycle each in one group and independent moves alone", () => {
    const moves = [
      move("a", "b"),
      move("x", "y"),
      move("b", "c"),
      move("y", "x"),
      move("solo", "SOLO"),
      move("1", "2"),
      move("2", "3"),
      move("3", "1"),
    ];
    expect(moveGroups(moves)).toEqual([0, 1, 0, 1, 2, 3, 3, 3]);
  });

  it("finds the groups whatever order the moves come in, numbered by first appearance", () => {
    // Each move's group by its own name: a chain, a swap, a cycle with accented and CJK keys, lone moves.
    const structure: [string, string, string][] = [
      ["c1", "c2", "chain"],
      ["c2", "c3", "chain"],
      ["c3", "c4", "chain"],
      ["c0", "c1", "chain"],
      ["s1", "s2", "swap"],
      ["s2", "s1", "swap"],
      ["Été", "日本", "cycle"],
      ["日本", "ÉTÉ", "cycle"],
      ["ÉTÉ", "Été", "cycle"],
      ["solo 1", "SOLO 1", "solo 1"],
      ["solo 2", "SOLO 2", "solo 2"],
      ["a b", "a c", "a b"],
    ];
    const shuffle = seededShuffle(7);
    for (let round = 0; round < 20; round++) {
      const shuffled = shuffle([...structure]);
      const firstSeen = [...new Set(shuffled.map(([, , group]) => group))];
      expect(moveGroups(shuffled.map(([from, to]) => move(from, to)))).toEqual(
        shuffled.map(([, , group]) => firstSeen.indexOf(group)),
      );
    }
  });

  it("selecting one half of a swap selects both halves, and nothing else", () => {
    const moves = [move("x", "y"), move("y", "x"), move("solo", "SOLO")];
    const chosen = selectMoveGroups(moves, (m) => m.from === "y");
    expect(chosen.map((m) => `${m.from}>${m.to}`)).toEqual(["x>y", "y>x"]);
  });
});
