import { describe, expect, it } from "vitest";
import type { MoveOutcome } from "../../src/engine/mover";
import type { PlannedMove } from "../../src/engine/planner";
import { createRunContext } from "../../src/engine/run/context";
import type { Target } from "../../src/engine/types";

const target: Target = { name: "Photos", localPath: "/Volumes/Photos", bucket: "b", prefix: "", excludes: [] };

function outcome(from: string, to: string, status: MoveOutcome["status"], extra: Partial<MoveOutcome> = {}) {
  const move: PlannedMove = { from, to, fromKey: from, toKey: to, inode: 7, size: 5, mtime: 1, state: "ready" };
  return { move, status, ...extra };
}

describe("the run's report", () => {
  it("gets a line per move made when the target closes, where the run reached it, and not before", () => {
    const ctx = createRunContext(target, { command: "moves", log: false });
    const list = ctx.report.moves.list;
    list.push({ from: "x", to: "y", fromKey: "", toKey: "", size: 1, status: "skipped", reason: "hard link" });
    ctx.reportOutcomes([
      outcome("a", "b", "done"),
      outcome("c", "d", "failed", { error: "precondition failed" }),
      outcome("e", "f", "failed", { archived: true }),
    ]);
    ctx.reportOutcomes([]);
    list.push({ from: "g", to: "h", fromKey: "", toKey: "", size: 1, status: "skipped", reason: "excluded" });
    ctx.reportOutcomes([outcome("i", "j", "done", { move: { ...outcome("i", "j", "done").move, copy: true } })]);
    // Until then the report holds only what other stages wrote: a million moves' lines wait for the DB's save.
    expect(ctx.report.moves.list.map((m) => m.from)).toEqual(["x", "g"]);

    ctx.finishReport();
    expect(ctx.report.moves.list.map((m) => [m.from, m.to, m.status, m.reason, m.copy])).toEqual([
      ["x", "y", "skipped", "hard link", undefined],
      ["a", "b", "done", undefined, undefined],
      ["c", "d", "failed", "precondition failed", undefined],
      ["e", "f", "pending-restore", undefined, undefined],
      ["g", "h", "skipped", "excluded", undefined],
      ["i", "j", "done", undefined, true],
    ]);
    ctx.finishReport();
    expect(ctx.report.moves.list).toHaveLength(6);
  });
});
