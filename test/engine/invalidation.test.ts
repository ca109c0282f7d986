// Which keys aws would wrongly keep after the moves: the pure part of the invalidate stage.
import { describe, expect, it } from "vitest";
import { bucketAfterMoves, filesToCheck, staleKeys } from "../../src/engine/invalidation";
import type { MoveOutcome } from "../../src/engine/mover";
import type { PlannedMove } from "../../src/engine/planner";
import type { S3ObjectInfo, ScannedFile } from "../../src/engine/types";

const T = 1_700_000_000_000; // ms

function file(path: string, size = 100, mtimeMs = T): ScannedFile {
  return { path, inode: 1, dev: 1, size, mtimeMs };
}
function object(key: string, size = 100, lastModifiedMs = T + 60_000): S3ObjectInfo {
  return { key, size, lastModifiedMs, etag: "e", storageClass: "STANDARD" };
}
function outcome(
  from: string,
  to: string,
  status: MoveOutcome["status"],
  extra: Partial<MoveOutcome> = {},
): MoveOutcome {
  const move: PlannedMove = {
    from,
    to,
    fromKey: `p/${from}`,
    toKey: `p/${to}`,
    inode: 1,
    size: 100,
    mtime: 0,
    state: "ready",
  };
  return { move, status, ...extra };
}

describe("invalidation", () => {
  it("checks the unsure files no completed move wrote, minus what aws leaves alone", () => {
    const unsure = [file("a"), file("b"), file("c"), file("waiting")];
    const outcomes = [outcome("x", "a", "done"), outcome("y", "b", "failed")];
    expect(filesToCheck({ unsure }, outcomes, new Set(["waiting"])).map((f) => f.path)).toEqual(["b", "c"]);
  });

  it("sees the bucket as the moves left it: old keys gone, a failed source unknown, the rest as listed", () => {
    const listing = new Map(["p/a", "p/b", "p/c", "p/d", "p/e"].map((k) => [k, object(k)]));
    const state = bucketAfterMoves(listing, [
      outcome("a", "z", "done"), // a's key is b → a's destination: not deleted
      outcome("b", "a", "done"), // b's key is nobody's destination: deleted
      outcome("c", "y", "done", { deleteFailed: "AccessDenied" }), // still there
      outcome("d", "c", "failed"), // someone changed d: unknown
      outcome("e", "d", "blocked"), // untouched
    ]);
    expect(
      ["p/a", "p/b", "p/c", "p/d", "p/e", "p/none"]
        .map((k) => state(k))
        .map((s) => (typeof s === "string" ? s : s.key)),
    ).toEqual([
      "p/a", // a is the destination of b → a: never deleted, holds what the listing says until rewritten
      "absent",
      "p/c",
      "unknown",
      "p/e",
      "absent",
    ]);
  });

  it("keeps to aws what aws would upload anyway, and deletes what it would keep", () => {
    const objects = new Map<string, S3ObjectInfo>([
      ["p/same", object("p/same")],
      ["p/bigger", object("p/bigger", 200)],
      ["p/older", object("p/older", 100, T - 5_000)],
      ["p/same-second", object("p/same-second", 100, T + 400)],
    ]);
    const state = (key: string) => (key === "p/unknown" ? "unknown" : (objects.get(key) ?? "absent"));
    const files = ["same", "bigger", "older", "same-second", "unknown", "absent"].map((p) => file(p));
    expect(staleKeys("p", files, state)).toEqual(["p/same", "p/same-second", "p/unknown"]);
  });
});
