// Benchmark 2: scan rate. scanVolume over trees of empty files against
// `find <root> -printf '%i %s %T@ %p\n' > /dev/null` (inode, size, mtime, path: what the scan collects),
// warm cache: each runs once first (not counted, but the first scan of a process is reported: a CLI run
// scans once), then alternately; medians of the timed runs.
//   tsx bench/scan.ts [--sizes 100k,1M] [--runs 3] [--trees DIR]   (--quick: 100k)
import { scanVolume } from "../src/engine/scanner";
import { amountFlag, parseAmount, parseFlags, stringFlag } from "./lib/args";
import { runMeasured } from "./lib/measure";
import { emit, median, ratio, round, say } from "./lib/report";
import { ensureTree } from "./lib/tree";
import { workDir } from "./lib/workspace";

const flags = parseFlags();
const sizes = (stringFlag(flags, "sizes") ?? (flags.quick === true ? "100k" : "100k,1M")).split(",").map(parseAmount);
const runs = amountFlag(flags, "runs", 3);
const TARGET = 1.5;

async function ours(root: string) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const scan = await scanVolume({ root, excludes: [] });
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, files: scan.files.length };
}

async function measure(trees: string, files: number) {
  say(`scan: building or reusing a tree of ${files} files under ${trees}`);
  const tree = ensureTree(trees, files);
  const find = () => runMeasured("find", [tree.root, "-printf", "%i %s %T@ %p\\n"]);
  const first = await ours(tree.root);
  find();
  const oursRuns: { wallMs: number; cpuMs: number }[] = [];
  const findRuns: { wallMs: number; cpuMs: number }[] = [];
  for (let i = 0; i < runs; i++) {
    oursRuns.push(await ours(tree.root));
    findRuns.push(find());
  }
  const o = { wallMs: median(oursRuns.map((r) => r.wallMs)), cpuMs: median(oursRuns.map((r) => r.cpuMs)) };
  const f = { wallMs: median(findRuns.map((r) => r.wallMs)), cpuMs: median(findRuns.map((r) => r.cpuMs)) };
  return {
    files: first.files,
    treeCreateMs: tree.createMs,
    scanVolume: {
      wallMs: round(o.wallMs),
      cpuMs: round(o.cpuMs),
      filesPerSecond: Math.round(first.files / (o.wallMs / 1000)),
      firstInProcessWallMs: round(first.wallMs),
    },
    find: { wallMs: f.wallMs, cpuMs: f.cpuMs, filesPerSecond: Math.round(first.files / (f.wallMs / 1000)) },
    wallTime_ours_per_find: ratio(o.wallMs, f.wallMs),
    cpuTime_ours_per_find: ratio(o.cpuMs, f.cpuMs),
  };
}

async function main(): Promise<void> {
  const trees = stringFlag(flags, "trees") ?? workDir("scan");
  const results = [];
  for (const files of sizes) results.push(await measure(trees, files));
  const ratios: Record<string, number | null> = {};
  for (const r of results) {
    ratios[`wallTime_ours_per_find_${r.files}`] = r.wallTime_ours_per_find;
    ratios[`cpuTime_ours_per_find_${r.files}`] = r.cpuTime_ours_per_find;
    ratios[`wallTime_ours_per_target_${r.files}`] = ratio(r.wallTime_ours_per_find ?? 0, TARGET);
  }
  emit({ bench: "scan", runs, target: `${TARGET}× find`, sizes: results, ratios });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `scan benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
