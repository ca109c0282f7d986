// What the DB may believe after moves: the moved row changes path, takes the copy's ETag and encryption
// knowledge; nothing else changes. Both ways of reading the old rows (a query each for a few moves, one walk
// over the table for a folder of thousands) must give the same rows.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStateDb, type StateDb } from "../../src/engine/db";
import { applyMovesToDb } from "../../src/engine/move-batch";
import type { MoveOutcome } from "../../src/engine/mover";
import type { PlannedMove } from "../../src/engine/planner";
import type { FileRecord } from "../../src/engine/types";

const T = 1_700_000_000;
const NOW = T + 500;
let root: string;
let db: StateDb;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "smart-sync-apply-"));
  db = (await openStateDb({ volumeRoot: root })).db;
});
afterEach(async () => {
  db.close();
  await rm(root, { recursive: true, force: true });
});

const row = (p: string, inode: number): FileRecord => ({
  path: p,
  inode,
  size: 100 + inode,
  mtime: T,
  synced: T + 1,
  etag: `old-${inode}`,
});
const moveOf = (r: FileRecord, to: string): PlannedMove => ({
  from: r.path,
  to,
  fromKey: r.path,
  toKey: to,
  inode: r.inode,
  size: r.size,
  mtime: r.mtime,
  state: "ready",
});

describe("applyMovesToDb", () => {
  it.each([
    [3, "in old-path order"],
    [1200, "in old-path order"],
    // Many moves are matched to the rows by one walk of the table, in old-path order: these are sorted first.
    [1200, "in another order"],
  ])("moves %i rows among 1,500 (%s), and only rows that still hold the move's file", (count, order) => {
    const rows = Array.from({ length: 1500 }, (_, i) => row(`lib/${String(i).padStart(4, "0")}.mp3`, i + 1));
    db.upsertFiles(rows);
    const moved = rows.slice(0, count);
    const outcomes: MoveOutcome[] = moved.map((r, i) => ({
      move: moveOf(r, `new/${r.path}`),
      status: "done",
      etag: `copied-${r.inode}`,
      defaultSse: i % 2 === 0,
    }));
    // A copy that failed, and a done move whose old row now holds another file: neither changes a row.
    outcomes.push({ move: moveOf(rows[1400], "new/failed.mp3"), status: "failed", error: "412" });
    outcomes.push({ move: { ...moveOf(rows[1401], "new/other.mp3"), inode: 99_999 }, status: "done", etag: "x" });
    if (order === "in another order") outcomes.reverse();

    applyMovesToDb(db, outcomes, NOW);

    const after = new Map(db.allFiles().map((r) => [r.path, r]));
    expect(after.size).toBe(1500);
    moved.forEach((r, i) => {
      expect(after.has(r.path)).toBe(false);
      expect(after.get(`new/${r.path}`)).toEqual({
        ...r,
        path: `new/${r.path}`,
        etag: `copied-${r.inode}`,
        defaultSse: i % 2 === 0 ? true : undefined,
        synced: NOW,
      });
    });
    for (const r of rows.slice(count)) expect(after.get(r.path)).toEqual(r);
    expect(after.has("new/failed.mp3") || after.has("new/other.mp3")).toBe(false);
  });
});
