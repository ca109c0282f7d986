// aws beside the moves (src/engine/run/early-aws.ts): which paths aws leaves alone while the moves run,
// as few rules as the bucket allows, and which of them a follow-up aws run must still take.
import { describe, expect, it } from "vitest";
import type { MoveOutcome } from "../../src/engine/mover";
import type { PlannedMove } from "../../src/engine/planner";
import {
  EARLY_AWS_MAX_RULES,
  followUpPaths,
  narrowFollowUp,
  planEarlyAws,
  type EarlyAws,
} from "../../src/engine/run/early-aws";
import type { S3ObjectInfo, ScannedFile } from "../../src/engine/types";

const file = (path: string): ScannedFile => ({ path, inode: 1, size: 1, mtimeMs: 0 }) as ScannedFile;
const move = (from: string, to: string, extra: Partial<PlannedMove> = {}): PlannedMove =>
  ({
    from,
    to,
    fromKey: `p/${from}`,
    toKey: `p/${to}`,
    inode: 1,
    size: 1,
    mtime: 0,
    state: "ready",
    ...extra,
  }) as PlannedMove;
const listing = (...paths: string[]) =>
  new Map(paths.map((p): [string, S3ObjectInfo] => [`p/${p}`, { key: `p/${p}`, size: 1 } as S3ObjectInfo]));
const plan = (moves: PlannedMove[], more: { copies?: PlannedMove[]; archived?: PlannedMove[] } = {}) => ({
  moves,
  copies: more.copies,
  archived: more.archived ?? [],
});

describe("what aws leaves alone while the moves run", () => {
  it("a renamed folder is two rules, whatever its size; a file moved into a mixed folder is its own path", () => {
    const renamed = Array.from({ length: 500 }, (_, i) => `Trips/Rome 2019/img ${i}.jpg`);
    const moves = [
      ...renamed.map((from) => move(from, from.replace("Rome 2019", "Italy/Rome"))),
      move("Inbox/a.pdf", "Docs/a.pdf"),
    ];
    const scan = [...moves.map((m) => file(m.to)), file("Docs/b.pdf"), file("Inbox/c.pdf")];
    const objects = listing(...moves.map((m) => m.from), "Docs/b.pdf", "Inbox/c.pdf");
    const early = planEarlyAws({ plan: plan(moves), scan, objects, prefix: "p" })!;
    expect(early.leaveAlone.folders).toEqual(["Trips"]);
    expect(early.leaveAlone.paths.sort()).toEqual(["Docs/a.pdf", "Inbox/a.pdf"]);
    expect(early.held.size).toBe(1002);
  });

  it("a folder holding one file that is not moved, or one object aws must delete, stays paths", () => {
    const moves = [move("Old/x", "New/x"), move("Old/y", "New/y")];
    const withStray = planEarlyAws({
      plan: plan(moves),
      scan: [file("New/x"), file("New/y"), file("New/z")],
      objects: listing("Old/x", "Old/y"),
      prefix: "p",
    })!;
    expect(withStray.leaveAlone.folders).toEqual(["Old"]);
    expect(withStray.leaveAlone.paths.sort()).toEqual(["New/x", "New/y"]);
    const withDeleted = planEarlyAws({
      plan: plan(moves),
      scan: [file("New/x"), file("New/y")],
      objects: listing("Old/x", "Old/y", "Old/gone"),
      prefix: "p",
    })!;
    expect(withDeleted.leaveAlone.folders).toEqual(["New"]);
    expect(withDeleted.leaveAlone.paths.sort()).toEqual(["Old/x", "Old/y"]);
  });

  it("without a listing no folder is known to be whole", () => {
    const early = planEarlyAws({
      plan: plan([move("Old/x", "New/x")]),
      scan: [file("New/x")],
      prefix: "p",
    })!;
    expect(early.leaveAlone).toEqual({ paths: ["Old/x", "New/x"], folders: [] });
  });

  it("holds copy destinations but not copy sources, and never a move waiting for a restore", () => {
    const early = planEarlyAws({
      plan: plan([move("a", "b")], {
        copies: [move("src", "dup", { copy: true })],
        archived: [move("cold", "cold2", { state: "archived" })],
      }),
      scan: [file("b"), file("src"), file("dup"), file("cold2")],
      objects: listing("a", "src", "cold"),
      prefix: "p",
    })!;
    expect([...early.held].sort()).toEqual(["a", "b", "dup"]);
  });

  it("nothing to move: aws runs after the plan as before", () => {
    expect(planEarlyAws({ plan: plan([]), scan: [file("a")], prefix: "p" })).toBeUndefined();
  });

  it("too many rules for aws to test every file against: the moves run first, then one aws", () => {
    const moves = Array.from({ length: EARLY_AWS_MAX_RULES }, (_, i) => move(`d${i}/f`, `e${i}/f`));
    const scan = [...moves.map((m) => file(m.to)), ...moves.map((_, i) => file(`d${i}/other`))];
    expect(
      planEarlyAws({ plan: plan(moves), scan, objects: listing(...moves.map((m) => m.from)), prefix: "p" }),
    ).toBeUndefined();
    // The same moves in a volume of few other files, as whole folders: a handful of rules.
    const whole = planEarlyAws({
      plan: plan(moves),
      scan: moves.map((m) => file(m.to)),
      objects: listing(...moves.map((m) => m.from)),
      prefix: "p",
    });
    expect(whole).toBeUndefined(); // 4,000 top-level folders are still 4,000 rules
    const nested = moves.map((m, i) => move(`Old/d${i}/f`, `New/e${i}/f`));
    const one = planEarlyAws({
      plan: plan(nested),
      scan: nested.map((m) => file(m.to)),
      objects: listing(...nested.map((m) => m.from)),
      prefix: "p",
    })!;
    expect(one.leaveAlone).toEqual({ paths: [], folders: expect.arrayContaining(["Old", "New"]) });
    expect(one.leaveAlone.folders).toHaveLength(2);
  });
});

describe("what the follow-up aws run takes", () => {
  const outcome = (m: PlannedMove, status: MoveOutcome["status"], extra: Partial<MoveOutcome> = {}): MoveOutcome =>
    ({ move: m, status, ...extra }) as MoveOutcome;
  const early = (...held: string[]): EarlyAws => ({ leaveAlone: { paths: held, folders: [] }, held: new Set(held) });

  it("nothing when every move was made", () => {
    const m = move("a", "b");
    expect(followUpPaths(early("a", "b"), [file("b")], { outcomes: [outcome(m, "done")], pending: [] })).toEqual([]);
  });

  it("a failed move: its file to upload and its old object to delete", () => {
    const m = move("a", "b");
    expect(
      followUpPaths(early("a", "b"), [file("b")], { outcomes: [outcome(m, "failed")], pending: [] }).sort(),
    ).toEqual(["a", "b"]);
  });

  it("a made move whose old object could not be deleted: aws deletes it", () => {
    const m = move("a", "b");
    expect(
      followUpPaths(early("a", "b"), [file("b")], {
        outcomes: [outcome(m, "done", { deleteFailed: "AccessDenied" })],
        pending: [],
      }),
    ).toEqual(["a"]);
  });

  it("a new file at a vacated path, a swap's halves, an unsure file, a failed copy, a move that turned out archived", () => {
    const ab = move("a", "b");
    const xy = move("x", "y");
    const yx = move("y", "x");
    const cold = move("c", "d");
    const scan = ["a", "b", "x", "y", "u", "dup", "d"].map(file);
    const paths = followUpPaths(early("a", "b", "x", "y", "u", "dup", "c", "d"), scan, {
      outcomes: [
        outcome(ab, "done"),
        outcome(xy, "done"),
        outcome(yx, "done"),
        outcome(cold, "failed", { archived: true }),
      ],
      copied: [],
      pending: [cold],
    });
    expect(paths.sort()).toEqual(["a", "dup", "u"]);
  });

  it("names its paths while aws can test them cheaply, else syncs everything", () => {
    expect(narrowFollowUp(["a", "b"], 1000, 1000)).toBe(true);
    expect(narrowFollowUp(["a", "b"], 1_000_000, 1_000_000)).toBe(false);
    expect(
      narrowFollowUp(
        Array.from({ length: EARLY_AWS_MAX_RULES + 1 }, (_, i) => `f${i}`),
        10,
        10,
      ),
    ).toBe(false);
  });
});
