import { describe, expect, it } from "vitest";
import { recordState, type RecordInput } from "../../src/engine/recorder";
import type { FileRecord, ScannedFile } from "../../src/engine/types";

const T = 1_700_000_000;
const NOW = T + 1000;
const file = (path: string, inode: number, size = 10, mtime = T): ScannedFile => ({
  path,
  inode,
  dev: 1,
  size,
  mtimeMs: mtime * 1000,
});
const row = (path: string, inode: number, size = 10, mtime = T, etag: string | null = null): FileRecord => ({
  path,
  inode,
  size,
  mtime,
  synced: T + 1,
  etag,
});
const record = (input: Partial<RecordInput>) =>
  recordState({ previous: [], scan: [], outcome: "synced", baseline: false, prefix: "", now: NOW, ...input });

describe("recordState (what the DB may believe)", () => {
  it("after aws exited 0, the whole scan becomes the recorded state", () => {
    const rows = record({
      previous: [row("gone", 1), row("same", 2, 10, T, "e2")],
      scan: [file("same", 2), file("new", 3)],
    });
    expect(rows).toEqual([
      { path: "same", inode: 2, size: 10, mtime: T, synced: T + 1, etag: "e2" },
      { path: "new", inode: 3, size: 10, mtime: T, synced: NOW, etag: null },
    ]);
  });

  it("after aws exited 2, everything but the skipped files (which keep their old rows)", () => {
    const rows = record({
      outcome: "synced-with-skips",
      previous: [row("locked.bin", 1, 5)],
      scan: [file("locked.bin", 1, 99), file("fine.txt", 2)],
      skippedPaths: ["locked.bin"],
    });
    expect(rows.map((r) => [r.path, r.size])).toEqual([
      ["fine.txt", 10],
      ["locked.bin", 5],
    ]);
  });

  it("after aws failed, the old state (with executed moves already applied) stays", () => {
    const previous = [row("moved-here", 1)];
    expect(record({ outcome: "not-synced", previous, scan: [file("moved-here", 1), file("new", 2)] })).toEqual(
      previous,
    );
  });

  it("a first run records the scan as a baseline even when aws did not run", () => {
    const rows = record({ outcome: "not-synced", baseline: true, scan: [file("a", 1)] });
    expect(rows.map((r) => r.path)).toEqual(["a"]);
  });

  it("keeps a pending move's old row and does not record its new path", () => {
    const rows = record({
      previous: [row("old", 7)],
      scan: [file("new", 7), file("other", 8)],
      pendingMoves: [{ from: "old", to: "new" }],
    });
    expect(rows.map((r) => r.path).sort()).toEqual(["old", "other"]);
  });

  it("learns an uploaded file's ETag from a listing only when aws would see the same file", () => {
    const objects = new Map([
      ["p/up", { key: "p/up", size: 10, lastModifiedMs: (T + 5) * 1000, etag: "fresh", storageClass: "STANDARD" }],
      ["p/stale", { key: "p/stale", size: 10, lastModifiedMs: (T - 5) * 1000, etag: "old", storageClass: "STANDARD" }],
    ]);
    const rows = record({ prefix: "p", objects, scan: [file("up", 1), file("stale", 2)] });
    expect(Object.fromEntries(rows.map((r) => [r.path, r.etag]))).toEqual({ up: "fresh", stale: null });
  });
});
