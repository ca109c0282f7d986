// Benchmark 3: a large volume where nothing changed. For each size, a tree of empty files and its state DB
// (recorded as synced); then the full `moves` pass — lock, DB load, scan, plan, DB save; with no moves it
// never lists the bucket — timed and its peak RSS taken, in a child process of its own.
//   tsx bench/no-change.ts [--sizes 100k,1M] [--trees DIR]   (--quick: 20k,100k)
import path from "node:path";
import { parseAmount, parseFlags, stringFlag } from "./lib/args";
import { runMeasured } from "./lib/measure";
import { emit, ratio, round, say } from "./lib/report";
import { ROOT, startServer } from "./lib/tools";
import { ensureTree } from "./lib/tree";
import { workDir } from "./lib/workspace";

const flags = parseFlags();
const sizes = (stringFlag(flags, "sizes") ?? (flags.quick === true ? "20k,100k" : "100k,1M"))
  .split(",")
  .map(parseAmount);
const TARGET_MS = 30_000;
const TARGET_RSS_KIB = 1024 * 1024;
const BUCKET = "bench-no-change";

function child(args: string[], env: NodeJS.ProcessEnv) {
  const cost = runMeasured(
    process.execPath,
    ["--import", "tsx", path.join(ROOT, "bench/lib/no-change-pass.ts"), ...args],
    {
      env,
      keepStdout: true,
    },
  );
  return { ...cost, result: JSON.parse(cost.stdout!.trim().split("\n").pop()!) as Record<string, unknown> };
}

async function main(): Promise<void> {
  const trees = stringFlag(flags, "trees") ?? workDir("no-change");
  const server = await startServer([BUCKET]);
  const env = { ...server.awsEnv };
  const results: Record<string, unknown>[] = [];
  try {
    for (const files of sizes) {
      say(`no-change: building or reusing a tree of ${files} files under ${trees}`);
      const tree = ensureTree(trees, files);
      say(`no-change: recording its state DB`);
      const build = child(["build", tree.root, BUCKET], env);
      say(`no-change: the moves pass`);
      const pass = child(["pass", tree.root, BUCKET, server.local.endpoint], env);
      const p = pass.result as { passMs: number; phases: Record<string, number>; unchanged: number };
      results.push({
        files,
        treeCreateMs: tree.createMs,
        dbBuildMs: build.wallMs,
        processWallMs: pass.wallMs,
        passMs: p.passMs,
        phasesMs: p.phases,
        unchanged: p.unchanged,
        maxRssMiB: round(pass.maxRssKiB / 1024),
        cpuMs: pass.cpuMs,
      });
    }
  } finally {
    await server.local.stop();
  }
  const largest = results[results.length - 1] as { files: number; passMs: number; maxRssMiB: number };
  const smallest = results[0] as { files: number; passMs: number; maxRssMiB: number };
  emit({
    bench: "no-change",
    targets: { passMs: TARGET_MS, maxRssMiB: TARGET_RSS_KIB / 1024, atFiles: 1_000_000 },
    sizes: results,
    ratios: {
      passTime_largest_per_30s: ratio(largest.passMs, TARGET_MS),
      maxRss_largest_per_1GiB: ratio(largest.maxRssMiB, TARGET_RSS_KIB / 1024),
      passTime_growth_per_files_growth: ratio(largest.passMs / smallest.passMs, largest.files / smallest.files),
      maxRss_largest_per_smallest: ratio(largest.maxRssMiB, smallest.maxRssMiB),
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `no-change benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
