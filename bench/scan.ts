// Benchmark 2: scan rate. scanVolume over a tree of empty files against
// `find <root> -printf '%i %s %T@ %p\n' > /dev/null` (inode, size, mtime, path: what the scan collects),
// warm cache: each runs once first, then alternately; medians of the timed runs.
//   tsx bench/scan.ts [--files 100000 | --full (1,000,000)] [--runs 3] [--trees DIR]
import { scanVolume } from "../src/engine/scanner";
import { amountFlag, parseFlags, stringFlag } from "./lib/args";
import { runMeasured } from "./lib/measure";
import { emit, median, ratio, round, say } from "./lib/report";
import { ensureTree } from "./lib/tree";
import { workDir } from "./lib/workspace";

const flags = parseFlags();
const files = amountFlag(flags, "files", flags.full === true ? 1_000_000 : 100_000);
const runs = amountFlag(flags, "runs", 3);

async function ours(root: string) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const scan = await scanVolume({ root, excludes: [] });
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, files: scan.files.length };
}

async function main(): Promise<void> {
  const trees = stringFlag(flags, "trees") ?? workDir("scan");
  say(`scan: building or reusing a tree of ${files} files under ${trees}`);
  const tree = ensureTree(trees, files);
  const find = () => runMeasured("find", [tree.root, "-printf", "%i %s %T@ %p\\n"]);

  const warm = await ours(tree.root);
  find();
  const oursRuns: { wallMs: number; cpuMs: number }[] = [];
  const findRuns: { wallMs: number; cpuMs: number }[] = [];
  for (let i = 0; i < runs; i++) {
    oursRuns.push(await ours(tree.root));
    findRuns.push(find());
  }
  const o = { wallMs: median(oursRuns.map((r) => r.wallMs)), cpuMs: median(oursRuns.map((r) => r.cpuMs)) };
  const f = { wallMs: median(findRuns.map((r) => r.wallMs)), cpuMs: median(findRuns.map((r) => r.cpuMs)) };
  emit({
    bench: "scan",
    files: warm.files,
    treeCreateMs: tree.createMs,
    runs,
    scanVolume: {
      wallMs: round(o.wallMs),
      cpuMs: round(o.cpuMs),
      filesPerSecond: Math.round(warm.files / (o.wallMs / 1000)),
    },
    find: { wallMs: f.wallMs, cpuMs: f.cpuMs, filesPerSecond: Math.round(warm.files / (f.wallMs / 1000)) },
    ratios: { wallTime_ours_per_find: ratio(o.wallMs, f.wallMs), cpuTime_ours_per_find: ratio(o.cpuMs, f.cpuMs) },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `scan benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
