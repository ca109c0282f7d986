import { describe, expect, it } from "vitest";
import { recordChanges, type RecordInput } from "../../src/engine/recorder";
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
const changes = (input: Partial<RecordInput>) =>
  recordChanges({ previous: [], scan: [], outcome: "synced", baseline: false, prefix: "", now: NOW, ...input });
/** The recorded state after the changes: the previous rows with the deletes and upserts applied, by path. */
const record = (input: Partial<RecordInput>): FileRecord[] => {
  const { upserts, deletes } = changes(input);
  const rows = new Map([...((input.previous ?? []) as FileRecord[])].map((r) => [r.path, r]));
  for (const path of deletes) rows.delete(path);
  for (const r of upserts) rows.set(r.path, r);
  return [...rows.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
};

describe("recordChanges (what the DB may believe)", () => {
  it("after aws exited 0, the whole scan becomes the recorded state", () => {
    const rows = record({
      previous: [row("gone", 1), row("same", 2, 10, T, "e2")],
      scan: [file("same", 2), file("new", 3)],
    });
    expect(rows).toEqual([
      { path: "new", inode: 3, size: 10, mtime: T, synced: NOW, etag: null },
      { path: "same", inode: 2, size: 10, mtime: T, synced: T + 1, etag: "e2" },
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
    expect(rows.map((r) => r.path)).toEqual(["old", "other"]);
  });

  it("learns an uploaded file's ETag from a listing only when aws would see the same file", () => {
    const objects = new Map([
      ["p/up", { key: "p/up", size: 10, lastModifiedMs: (T + 5) * 1000, etag: "fresh", storageClass: "STANDARD" }],
      ["p/stale", { key: "p/stale", size: 10, lastModifiedMs: (T - 5) * 1000, etag: "old", storageClass: "STANDARD" }],
    ]);
    const rows = record({ prefix: "p", objects, scan: [file("up", 1), file("stale", 2)] });
    expect(Object.fromEntries(rows.map((r) => [r.path, r.etag]))).toEqual({ up: "fresh", stale: null });
  });

  it("marks what aws uploaded as having the bucket's default encryption; other rows keep what they knew", () => {
    const listed = (key: string, etag: string) => ({
      key,
      size: 10,
      lastModifiedMs: (T + 5) * 1000,
      etag,
      storageClass: "STANDARD",
    });
    const objects = new Map([["up", listed("up", "fresh")]]);
    const previous = [
      { ...row("kept", 2, 10, T, "e2"), defaultSse: true },
      row("unknown", 3, 10, T, "e3"),
      { ...row("replaced", 4, 10, T, "e4"), defaultSse: true },
      { ...row("proven", 5, 10, T, "e5"), defaultSse: true },
    ];
    const scan = [file("kept", 2), file("proven", 5), file("replaced", 4, 12), file("unknown", 3), file("up", 1)];
    const rows = record({ objects, previous, scan, proven: new Map([["proven", "e5"]]) });
    expect(Object.fromEntries(rows.map((r) => [r.path, [r.etag, r.defaultSse === true]]))).toEqual({
      up: ["fresh", true],
      kept: ["e2", true],
      unknown: ["e3", false],
      // Edited and not uploaded (aws failed on it, say): the row no longer describes the flagged object.
      replaced: [null, false],
      proven: ["e5", true],
    });
    // Flags written back unchanged are no change.
    expect(changes({ previous: rows, scan })).toEqual({ upserts: [], deletes: [] });
  });

  it("writes nothing when nothing changed: each unchanged row keeps its synced time and ETag", () => {
    const previous = [row("a", 1, 10, T, "e1"), row("b", 2, 20, T + 0.5)];
    expect(changes({ previous, scan: [file("a", 1), file("b", 2, 20, T + 0.5)] })).toEqual({
      upserts: [],
      deletes: [],
    });
  });

  it("writes only the rows that differ, and deletes only the rows no longer recorded", () => {
    const previous = [row("edited", 1), row("gone", 2), row("same", 3, 10, T, "e3"), row("skipped", 4)];
    const scan = [file("edited", 1, 11), file("new", 5), file("same", 3)];
    expect(changes({ previous, scan, skippedPaths: ["skipped"] })).toEqual({
      upserts: [
        { path: "edited", inode: 1, size: 11, mtime: T, synced: NOW, etag: null },
        { path: "new", inode: 5, size: 10, mtime: T, synced: NOW, etag: null },
      ],
      deletes: ["gone"],
    });
  });

  it("drops a row recorded at a pending move's new path, since aws leaves that path alone", () => {
    const rows = record({
      previous: [row("from", 7), row("to", 8)],
      scan: [file("to", 7)],
      pendingMoves: [{ from: "from", to: "to" }],
    });
    expect(rows.map((r) => r.path)).toEqual(["from"]);
  });

  it("matches rows streamed in SQLite's byte order with a scan in the scanner's order", () => {
    // UTF-16 puts the emoji (surrogates) before U+FF01 and U+E000; UTF-8 bytes put them last.
    const names = ["a/b.mp3", "a/\uE000.mp3", "a/！.mp3", "a/𝄞 clef.mp3", "a/😀.mp3"];
    const previous = names.map((name, i) => row(name, i + 1, 10, T, `e${i}`));
    function* stream() {
      yield* previous; // already in byte order, as `ORDER BY path` returns them
    }
    const scan = names.map((name, i) => file(name, i + 1)).sort((a, b) => (a.path < b.path ? -1 : 1));
    expect(scan.map((f) => f.path)).not.toEqual(names);
    expect(changes({ previous: stream(), scan })).toEqual({ upserts: [], deletes: [] });
  });

  it("refuses rows that come out of path order rather than take rows for absent", () => {
    function* stream() {
      yield row("b", 2);
      yield row("a", 1);
    }
    expect(() => changes({ previous: stream(), scan: [file("a", 1), file("b", 2)] })).toThrow(/out of path order/);
  });
});
