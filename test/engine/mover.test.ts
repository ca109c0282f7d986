// The mover and its journal over an in-memory bucket: every stop point of a batch (the network going
// away after N requests) followed by a resume from the journal on disk ends in the same bucket, and no
// content is ever missing from every key. The real-server version of this is test/integration/crash.test.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SmartSyncError } from "../../src/engine/errors";
import { MoveJournal, newRunId, type JournalHeader } from "../../src/engine/journal";
import { tempKeyFor } from "../../src/engine/move-batch";
import { SCHEDULER_VERSION, scheduleMoves, stepCount } from "../../src/engine/move-order";
import { executeMoves } from "../../src/engine/mover";
import type { PlannedMove } from "../../src/engine/planner";
import { SourceChangedError } from "../../src/engine/s3";

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});

/** A bucket of key → content whose ETag is the content; fails every request after `failAfter`. */
class MemoryBucket {
  requests = 0;
  failAfter = Infinity;
  /** Keys DeleteObjects reports as not deleted (AccessDenied). */
  undeletable = new Set<string>();
  deleteBatches: string[][] = [];
  constructor(readonly objects: Map<string, string>) {}

  private tick() {
    if (++this.requests > this.failAfter) throw new SmartSyncError("NETWORK", "network down", { retryable: true });
  }

  async copyObject(src: string, dst: string, options: { ifMatchEtag: string }) {
    this.tick();
    const content = this.objects.get(src);
    if (content === undefined || (options.ifMatchEtag && options.ifMatchEtag !== content))
      throw new SourceChangedError(src, { expectedEtag: options.ifMatchEtag });
    this.objects.set(dst, content);
    this.check();
    return { etag: content, defaultSse: true };
  }

  async deleteObjects(keys: readonly string[]) {
    this.tick();
    this.deleteBatches.push([...keys]);
    const failures = [];
    for (const key of keys) {
      if (this.undeletable.has(key)) failures.push({ key, message: "AccessDenied: Access Denied" });
      else this.objects.delete(key);
    }
    this.check();
    return failures;
  }

  /** Every original content must be somewhere in the bucket at every instant. */
  contents = new Set<string>();
  check() {
    const present = new Set(this.objects.values());
    for (const c of this.contents) if (!present.has(c)) throw new Error(`content ${c} lost`);
  }
}

function move(from: string, to: string): PlannedMove {
  return { from, to, fromKey: from, toKey: to, inode: 1, size: 1, mtime: 0, etag: `<${from}>`, state: "ready" };
}

const MOVES = [
  move("a", "b"),
  move("b", "a"), // swap
  move("x", "y"),
  move("y", "z"),
  move("z", "x"), // 3-cycle
  move("c1", "c2"),
  move("c2", "c3"), // chain
  move("f/1", "g/1"),
  move("f/2", "g/2"),
];
const START = new Map(["a", "b", "x", "y", "z", "c1", "c2", "f/1", "f/2"].map((k) => [k, `<${k}>`]));
const END = {
  a: "<b>",
  b: "<a>",
  x: "<z>",
  y: "<x>",
  z: "<y>",
  c2: "<c1>",
  c3: "<c2>",
  "g/1": "<f/1>",
  "g/2": "<f/2>",
};

function header(runId: string, moves: number, steps: number): JournalHeader {
  return {
    version: 2,
    runId,
    bucket: "b",
    prefix: "",
    endpoint: null,
    profile: null,
    createdAt: "",
    moves,
    steps,
    scheduler: SCHEDULER_VERSION,
  };
}

async function firstRun(volume: string, bucket: MemoryBucket, moves = MOVES) {
  const runId = newRunId();
  const schedule = scheduleMoves(moves, tempKeyFor("", runId));
  const journal = await MoveJournal.create(volume, header(runId, moves.length, stepCount(schedule)), moves);
  return executeMoves({ gateway: bucket, moves, schedule, journal, concurrency: 3 });
}

/** What a resumed run does: the moves from the journal, the schedule recomputed from them. */
async function resume(volume: string, bucket: MemoryBucket) {
  const loaded = await MoveJournal.load(volume);
  expect(loaded).not.toBeNull();
  const { journal, moves, done } = loaded!;
  const schedule = scheduleMoves(moves, tempKeyFor("", journal.header.runId));
  expect(stepCount(schedule)).toBe(journal.header.steps);
  return executeMoves({ gateway: bucket, moves, schedule, journal, alreadyDone: done });
}

describe("executeMoves with the journal", () => {
  it("makes every move of chains, swaps and cycles and leaves no temporary key", async () => {
    const volume = mkdtempSync(path.join(tmpdir(), "mover-"));
    dirs.push(volume);
    const bucket = new MemoryBucket(new Map(START));
    bucket.contents = new Set(START.values());
    const result = await firstRun(volume, bucket);
    expect(result.complete).toBe(true);
    expect(result.outcomes.every((o) => o.status === "done")).toBe(true);
    expect(Object.fromEntries(bucket.objects)).toEqual(END);
  });

  it("finishes from the journal after stopping at any request", async () => {
    const clean = new MemoryBucket(new Map(START));
    await firstRun(mkdtempSync(path.join(tmpdir(), "mover-")), clean).then(() => undefined);
    const total = clean.requests;
    for (let stopAt = 0; stopAt < total; stopAt++) {
      const volume = mkdtempSync(path.join(tmpdir(), "mover-"));
      dirs.push(volume);
      const bucket = new MemoryBucket(new Map(START));
      bucket.contents = new Set(START.values());
      bucket.failAfter = stopAt;
      const first = await firstRun(volume, bucket);
      expect(first.complete, `stop at ${stopAt}`).toBe(false);
      expect(first.error).toMatchObject({ code: "NETWORK" });

      bucket.failAfter = Infinity;
      const resumed = await resume(volume, bucket);
      expect(resumed.complete, `resume after ${stopAt}`).toBe(true);
      expect(Object.fromEntries(bucket.objects), `bucket after stop at ${stopAt}`).toEqual(END);
    }
  });

  it("fails only the moves whose source changed, and the moves that depend on them", async () => {
    const volume = mkdtempSync(path.join(tmpdir(), "mover-"));
    dirs.push(volume);
    const start = new Map(START);
    start.set("c2", "<edited elsewhere>");
    const bucket = new MemoryBucket(start);
    const result = await firstRun(volume, bucket);
    const byFrom = Object.fromEntries(result.outcomes.map((o) => [o.move.from, o.status]));
    expect(byFrom.c2).toBe("failed"); // its copy is conditional on the recorded ETag
    expect(byFrom.c1).toBe("blocked"); // would overwrite c2, whose bytes aws must still see
    expect(byFrom.a).toBe("done");
    expect(bucket.objects.get("c2")).toBe("<edited elsewhere>");
    expect(bucket.objects.has("c1")).toBe(true);
  });

  it("deletes old keys in DeleteObjects batches of at most 1,000, and reports a key that would not go", async () => {
    const volume = mkdtempSync(path.join(tmpdir(), "mover-"));
    dirs.push(volume);
    const moves = Array.from({ length: 2500 }, (_, i) => move(`old/${i}`, `new/${i}`));
    const start = new Map(moves.map((m) => [m.fromKey, `<${m.from}>`]));
    const bucket = new MemoryBucket(new Map(start));
    bucket.undeletable.add("old/7");
    const result = await firstRun(volume, bucket, moves);
    expect(result.complete).toBe(true);
    expect(bucket.deleteBatches.map((b) => b.length)).toEqual([1000, 1000, 500]);
    expect([...bucket.objects.keys()].filter((k) => k.startsWith("old/"))).toEqual(["old/7"]);
    const failed = result.outcomes.filter((o) => o.deleteFailed);
    expect(failed.map((o) => [o.move.from, o.status, o.deleteFailed])).toEqual([
      ["old/7", "done", "AccessDenied: Access Denied"],
    ]);
    // Journaled like single deletes: a resume has nothing left but the one that failed.
    const loaded = await MoveJournal.load(volume);
    const deletesDone = [...loaded!.done.keys()].filter((id) => id >= 2500);
    expect(deletesDone).toHaveLength(2499);
  });

  it("names the temporary key a cycle left behind when its move failed", async () => {
    const volume = mkdtempSync(path.join(tmpdir(), "mover-"));
    dirs.push(volume);
    const moves = [move("x", "y"), move("y", "z"), move("z", "x")];
    const start = new Map([
      ["x", "<x>"],
      ["y", "<y>"],
      ["z", "<changed elsewhere>"],
    ]);
    const bucket = new MemoryBucket(start);
    const result = await firstRun(volume, bucket, moves);
    expect(result.complete).toBe(true);
    const byFrom = Object.fromEntries(result.outcomes.map((o) => [o.move.from, o.status]));
    expect(byFrom).toEqual({ x: "blocked", y: "blocked", z: "failed" });
    expect(result.leftoverTempKeys).toHaveLength(1);
    expect(result.leftoverTempKeys[0]).toMatch(/^\.s3-smart-sync-tmp\/[^/]+\/0$/);
    expect(bucket.objects.get(result.leftoverTempKeys[0])).toBe("<x>");
  });
});
