// Child process of the no-change benchmark, so that its peak RSS is the pass's own.
//   build <root> <bucket> [etag]: scan the volume and record it as the synced state (the DB a real volume has);
//   with the ETag every object was put with (without encryption settings, as aws puts them), the rows say so,
//   as a sync that uploaded the tree leaves them.
//   pass <root> <bucket> <endpoint>: the `moves` pass (lock, DB load, scan, plan, DB save).
//   sync <root> <bucket> <endpoint> <aws>: the full `sync` pass (lock, DB load, scan, plan, aws, record, DB
//   save) with the given aws binary (the bench passes a no-op one: the engine's own work is measured).
// Prints one JSON line: wall time of the work, phase times, peak RSS (and, with BENCH_PHASE_LOG, a trace).
import { appendFileSync, createWriteStream, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { reportText } from "../../src/cli/output";
import { StreamOutput } from "../../src/cli/stream-output";
import { initSql, loadSqlWasm, openStateDb } from "../../src/engine/db";
import type { Phase } from "../../src/engine/events";
import { keepHeapNearLive } from "../../src/engine/heap";
import { runTarget } from "../../src/engine/run";
import { scanVolume } from "../../src/engine/scanner";

// This process stands in for the CLI's, which keeps the heap near what is live.
keepHeapNearLive();
// Bundled (bundled.ts), it finds sql.js's wasm beside it, as the CLI's bundle does.
const wasm = path.join(path.dirname(fileURLToPath(import.meta.url)), "sql-wasm.wasm");
if (existsSync(wasm)) await initSql(await loadSqlWasm(wasm));
const [mode, root, bucket, endpoint, aws] = process.argv.slice(2);
const etag = mode === "build" ? endpoint : undefined;

async function build(): Promise<Record<string, unknown>> {
  const scan = await scanVolume({ root, excludes: [] });
  const { db } = await openStateDb({ volumeRoot: root });
  const now = Date.now() / 1000;
  db.replaceFiles(
    scan.files.map((f) => ({
      path: f.path,
      inode: f.inode,
      size: f.size,
      mtime: f.mtimeMs / 1000,
      synced: now,
      etag: etag ?? null,
      defaultSse: etag ? true : undefined,
    })),
  );
  db.setTarget(bucket, "");
  await db.save();
  db.close();
  return { files: scan.files.length };
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);

/** Heap and RSS now, and the peak RSS so far (`peak`): the first phase whose `peak` is the pass's own held it. */
function memoryNowMiB(m = process.memoryUsage()): { heap: number; rss: number; peak: number } {
  return { heap: mib(m.heapUsed), rss: mib(m.rss), peak: mib(process.resourceUsage().maxRSS * 2 ** 10) };
}

/**
 * With BENCH_PHASE_LOG=<file>, a line appended to it as a phase ends, for a pass watched as it runs (a
 * million moves take a quarter of an hour): heap used and committed, array buffers, RSS, peak RSS (MiB);
 * and, between those, a line each time the peak has risen by 8 MiB, with the moves done by then: where
 * within a phase the peak was reached.
 */
function trace(label: string, ms?: number): void {
  const file = process.env.BENCH_PHASE_LOG;
  if (!file) return;
  const m = process.memoryUsage();
  const memory = { ...memoryNowMiB(m), heapTotal: mib(m.heapTotal), arrayBuffers: mib(m.arrayBuffers) };
  tracedPeak = memory.peak;
  appendFileSync(file, `${JSON.stringify({ phase: label, ms, ...memory, movesDone })}\n`);
}
let tracedPeak = 0;
let movesDone = 0;
let phaseNow = "start";
if (process.env.BENCH_PHASE_LOG) {
  setInterval(() => {
    if (process.resourceUsage().maxRSS / 2 ** 10 >= tracedPeak + 8) trace(`within ${phaseNow}`);
  }, 200).unref();
}

async function pass(command: "moves" | "sync"): Promise<Record<string, unknown>> {
  const phases: Partial<Record<Phase, number>> = {};
  // Heap and RSS as each phase ends: where a pass's memory goes.
  const memoryMiB: Partial<Record<Phase, { heap: number; rss: number; peak: number }>> = {};
  let last: Phase | undefined;
  let lastAt = performance.now();
  const start = lastAt;
  const report = await runTarget(
    { name: "no-change", localPath: root, bucket, prefix: "", excludes: [], endpointUrl: endpoint, awsCli: aws },
    {
      command,
      onEvent: (e) => {
        if (e.type === "move") movesDone = e.done + e.failed;
        if (e.type === "phase") phaseNow = e.phase;
        if (e.type !== "phase" && e.type !== "target-end") return;
        const now = performance.now();
        if (last) {
          phases[last] = Math.round(now - lastAt);
          memoryMiB[last] = memoryNowMiB();
          trace(last, phases[last]);
        }
        last = e.type === "phase" ? e.phase : undefined;
        lastAt = now;
      },
    },
  );
  if (report.status !== "ok") throw new Error(`pass ended ${report.status}: ${report.error?.message}`);
  const passMs = Math.round(performance.now() - start);
  // The CLI then prints the report, a line per move: part of what a user's run holds and waits for.
  const printed = performance.now();
  const out = new StreamOutput(createWriteStream("/dev/null"));
  out.write(reportText(report));
  await out.flushed();
  trace("output", Math.round(performance.now() - printed));
  return {
    passMs,
    phases,
    outputMs: Math.round(performance.now() - printed),
    memoryMiB: { ...memoryMiB, output: memoryNowMiB() },
    unchanged: report.counts.unchanged,
    moves: report.moves.done,
  };
}

const started = performance.now();
const result = mode === "build" ? await build() : await pass(mode === "sync" ? "sync" : "moves");
process.stdout.write(
  JSON.stringify({
    ...result,
    workMs: Math.round(performance.now() - started),
    maxRssKiB: process.resourceUsage().maxRSS,
  }) + "\n",
);
