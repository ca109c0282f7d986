// Unstable inodes (exFAT, remounts, files copied over themselves): a file at its recorded path with the
// recorded size and mtime is unchanged whatever its number; zero-length files are never matched by inode.
import { describe, expect, it } from "vitest";
import { planRun, type PlanInput } from "../../src/engine/planner";
import { recordChanges } from "../../src/engine/recorder";
import type { FileRecord, ScannedFile } from "../../src/engine/types";

const T = 1_700_000_000;

function file(path: string, inode: number, size = 100, mtime = T): ScannedFile {
  return { path, inode, dev: 1, size, mtimeMs: mtime * 1000 };
}
function row(path: string, inode: number, size = 100, mtime = T, etag?: string): FileRecord {
  return { path, inode, size, mtime, synced: T + 10, etag };
}
const plan = (input: Pick<PlanInput, "scan" | "records">) => planRun({ prefix: "", isExcluded: () => false, ...input });

describe("unstable inodes", () => {
  it("a file at its recorded path with a new inode is unchanged, even when its new number was another file's", () => {
    // a got b's old number, b a fresh one (both copied over themselves); c was renamed to d (kept its number).
    const p = plan({
      scan: [file("a", 2, 100), file("b", 9, 200, T + 1), file("d", 3, 300)],
      records: [row("a", 1, 100), row("b", 2, 200, T + 1), row("c", 3, 300)],
    });
    expect(p.unchangedCount).toBe(2);
    expect(p.moves.map((m) => [m.from, m.to])).toEqual([["c", "d"]]);
    expect(p.rejected).toEqual([]);
    expect(p.unsure.map((f) => f.path)).toEqual(["d"]); // a move's end, right once the move completes
    expect(p.newFiles).toEqual([]);
    expect(p.modified).toEqual([]);
  });

  it("a file copied over itself whose old number a new file of another size took is not doubted", () => {
    // a was copied over itself (new number 9); a new file n got a's old number 1 (a rejected candidate a → n).
    const p = plan({
      scan: [file("a", 9, 100), file("n", 1, 500, T + 5)],
      records: [row("a", 1, 100)],
    });
    expect(p.rejected.map((r) => [r.from, r.to, r.reason])).toEqual([["a", "n", "changed-since-recorded"]]);
    expect(p.unchangedCount).toBe(1);
    // aws would keep a's object, rightly: it holds a's bytes. n is new, at a key that holds nothing.
    expect(p.unsure.map((f) => f.path)).toEqual(["n"]);
  });

  it("a swap of look-alikes (same size and mtime) stays a swap: the numbers tie, so they are not trusted as unchanged", () => {
    const p = plan({ scan: [file("a", 2), file("b", 1)], records: [row("a", 1), row("b", 2)] });
    expect(p.moves.map((m) => [m.from, m.to]).sort()).toEqual([
      ["a", "b"],
      ["b", "a"],
    ]);
  });

  it("zero-length files are never matched by inode (exFAT gives them all one number)", () => {
    const p = plan({
      scan: [file("empty-renamed", 5, 0), file("other-empty", 5, 0), file("x", 6)],
      records: [row("empty", 5, 0), row("x", 6)],
    });
    expect(p.moves).toEqual([]);
    expect(p.rejected).toEqual([]);
    expect(p.newFiles.map((f) => f.path).sort()).toEqual(["empty-renamed", "other-empty"]);
    expect(p.deleted.map((r) => r.path)).toEqual(["empty"]);
  });

  it("the record takes the new inode and keeps its sync time and ETag, unless the plan doubted the key", () => {
    const changes = recordChanges({
      previous: [row("a", 1, 100, T, "etag-a"), row("b", 2, 100, T, "etag-b")],
      scan: [file("a", 7), file("b", 8)],
      outcome: "synced",
      baseline: false,
      prefix: "",
      doubtful: new Set(["b"]),
      now: T + 100,
    });
    // Both rows change (their inode did), so both are written; none goes.
    expect(changes).toEqual({
      upserts: [
        { path: "a", inode: 7, size: 100, mtime: T, synced: T + 10, etag: "etag-a" },
        { path: "b", inode: 8, size: 100, mtime: T, synced: T + 100, etag: null },
      ],
      deletes: [],
    });
  });
});
