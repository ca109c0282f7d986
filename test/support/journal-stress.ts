// Child process of test/engine/journal.test.ts: journals N moves, records every copy as finished, drops
// everything and resumes from the file, under a heap limit the parent sets (--max-old-space-size). Prints
// one JSON line of figures. A journal that needed memory in proportion to the batch beyond the moves
// themselves would die here of "JavaScript heap out of memory" (or, in the old one-line format, of
// "Invalid string length" past about 700,000 moves).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { getHeapStatistics } from "node:v8";
import { keepHeapNearLive } from "../../src/engine/heap";
import { MoveJournal, newRunId } from "../../src/engine/journal";
import { tempKeyFor } from "../../src/engine/move-batch";
import { SCHEDULER_VERSION, scheduleMoves, stepCount } from "../../src/engine/move-order";
import type { PlannedMove } from "../../src/engine/planner";

// As the CLI's process, which resumes a journal.
keepHeapNearLive();
const N = Number(process.argv[2] ?? 2_000_000);
const MiB = 1024 * 1024;
let peak = 0;
// V8's used heap size, which process.memoryUsage() reports as heapUsed; read alone, without the resident set
// size memoryUsage() also measures (from /proc), it costs a seventh as much, every 2 ms of the run.
const heapUsed = () => getHeapStatistics().used_heap_size;
const sampler = setInterval(() => (peak = Math.max(peak, heapUsed())), 2);

function plan(n: number): PlannedMove[] {
  const moves: PlannedMove[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const name = `Artist ${i % 2000}/Album ${i % 7}/${i} Track.flac`;
    const from = `Library/${name}`;
    const to = `Library (sorted)/${name}`;
    moves[i] = {
      from,
      to,
      fromKey: from,
      toKey: to,
      inode: i + 1,
      size: 1000 + i,
      mtime: 1_700_000_000.25,
      etag: "0123456789abcdef0123456789abcdef",
      storageClass: "STANDARD_IA",
      // As after a sync by aws: every source has the bucket's default encryption (a field more per line).
      defaultSse: true,
      state: "ready",
    };
  }
  return moves;
}

async function main() {
  const root = mkdtempSync(path.join(tmpdir(), "journal-stress-"));
  try {
    const runId = newRunId();
    let moves: PlannedMove[] | undefined = plan(N);
    const movesHeap = heapUsed();
    const steps = stepCount(scheduleMoves(moves, tempKeyFor("", runId)));
    const header = {
      version: 2 as const,
      runId,
      bucket: "bucket",
      prefix: "",
      endpoint: null,
      profile: null,
      createdAt: new Date().toISOString(),
      moves: N,
      steps,
      scheduler: SCHEDULER_VERSION,
    };
    const journal = await MoveJournal.create(root, header, moves);
    const last = moves[N - 1];
    moves = undefined;
    for (let i = 0; i < N; i++)
      journal.record({ step: i, ok: true, etag: "0123456789abcdef0123456789abcdef", defaultSse: true });
    await journal.flush();
    const journalBytes = statSync(journal.file).size;

    const loaded = await MoveJournal.load(root);
    if (!loaded || loaded.moves.length !== N || loaded.done.size !== N) throw new Error("journal did not read back");
    if (!isDeepStrictEqual(loaded.moves[N - 1], last)) throw new Error("last move differs");
    const resumedSteps = stepCount(scheduleMoves(loaded.moves, tempKeyFor("", loaded.journal.header.runId)));
    if (resumedSteps !== loaded.journal.header.steps) throw new Error("recomputed schedule differs");
    clearInterval(sampler);
    console.log(
      JSON.stringify({
        moves: N,
        journalMiB: Math.round(journalBytes / MiB),
        movesHeapMiB: Math.round(movesHeap / MiB),
        peakHeapMiB: Math.round(peak / MiB),
        maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      }),
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
