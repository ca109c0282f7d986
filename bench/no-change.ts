// Benchmark 3: a large volume where nothing changed. For each size, a tree of empty files and its state DB
// (recorded as synced); then, each in a child process of its own (its own peak RSS):
// - the `moves` pass: lock, DB load, scan, plan, DB save (with no moves it never lists the bucket);
// - the full `sync` pass with a no-op aws (it prints nothing and exits 0, as aws does when nothing
//   changed): lock, DB load, scan, plan, aws, record (every row read and written again), DB save. aws
//   itself needs minutes to walk and list a million files; this is the engine's own share.
// Then the real end-to-end `sync` with aws against a bucket holding the tree, as a ratio to plain
// `aws s3 sync --delete` of the same tree (the same excludes: the tool's own files).
//   tsx bench/no-change.ts [--sizes 100k,1M] [--e2e-files 100k] [--trees DIR]   (--quick: 20k; 5k; 0: no aws)
import path from "node:path";
import { TOOL_EXCLUDES } from "../src/engine/filters";
import { amountFlag, parseAmount, parseFlags, stringFlag } from "./lib/args";
import { runMeasured } from "./lib/measure";
import { runPass } from "./lib/bundled";
import { emit, median, ratio, round, say } from "./lib/report";
import { awsSyncArgs, CLI_PATH, startServer, writeConfig, writeNoOpAws, type BenchServer } from "./lib/tools";
import { seedEmptyObjects, treeKeys } from "./lib/seed";
import { ensureTree } from "./lib/tree";
import { workDir } from "./lib/workspace";

const flags = parseFlags();
const quick = flags.quick === true;
const sizes = (stringFlag(flags, "sizes") ?? (quick ? "20k" : "100k,1M")).split(",").map(parseAmount);
const e2eFiles = amountFlag(flags, "e2e-files", quick ? 5_000 : 100_000);
const TARGET_MS = 30_000;
const TARGET_RSS_KIB = 1024 * 1024;
const BUCKET = "bench-no-change";
const E2E_BUCKET = "bench-e2e";

const child = runPass;

type PassResult = { passMs: number; phases: Record<string, number>; unchanged: number };

function figures(pass: Awaited<ReturnType<typeof child>>) {
  const p = pass.result as PassResult;
  return {
    processWallMs: pass.wallMs,
    passMs: p.passMs,
    phasesMs: p.phases,
    unchanged: p.unchanged,
    maxRssMiB: round(pass.maxRssKiB / 1024),
    cpuMs: pass.cpuMs,
  };
}

async function endToEnd(server: BenchServer, trees: string, work: string) {
  say(`no-change: end to end with aws on ${e2eFiles} files: seeding the bucket`);
  const tree = ensureTree(trees, e2eFiles);
  await child(["build", tree.root, E2E_BUCKET], server.awsEnv);
  const seedStart = performance.now();
  const keys = treeKeys(tree.root);
  await seedEmptyObjects(server, E2E_BUCKET, keys);
  const objects = keys.length;
  const seedMs = Math.round(performance.now() - seedStart);
  const config = path.join(work, "e2e.conf");
  writeConfig(config, [{ volume: tree.root, bucket: E2E_BUCKET }], server.local.endpoint);
  const excludes = TOOL_EXCLUDES.flatMap((p) => ["--exclude", p]);
  const plainAws = () =>
    runMeasured(server.aws.path, awsSyncArgs(server, tree.root, E2E_BUCKET, excludes), { env: server.awsEnv });
  const ours = () =>
    runMeasured(process.execPath, [CLI_PATH, "batch", "-c", config, "--json"], {
      env: server.awsEnv,
      keepStdout: true,
    });
  // aws first (it also warms the cache), then alternately; medians.
  plainAws();
  const awsRuns = [];
  const ourRuns = [];
  for (let i = 0; i < (quick ? 1 : 2); i++) {
    say(`no-change: end to end, round ${i + 1}: ours, then plain aws`);
    const o = ours();
    const report = JSON.parse(o.stdout!.trim().split("\n").pop()!) as { status: string; aws?: { uploads: number } };
    if (report.status !== "ok" || (report.aws?.uploads ?? 0) > 0)
      throw new Error(`end-to-end run: ${report.status}, ${report.aws?.uploads} uploads`);
    ourRuns.push(o);
    awsRuns.push(plainAws());
  }
  const pick = (runs: { wallMs: number; maxRssKiB: number }[]) => ({
    wallMs: median(runs.map((r) => r.wallMs)),
    maxRssMiB: round(median(runs.map((r) => r.maxRssKiB)) / 1024),
  });
  const o = pick(ourRuns);
  const a = pick(awsRuns);
  return { files: e2eFiles, objects, seedMs, ours: o, aws: a, ratio: ratio(o.wallMs, a.wallMs) };
}

async function main(): Promise<void> {
  const trees = stringFlag(flags, "trees") ?? workDir("no-change");
  const work = workDir("no-change-work");
  const server = await startServer([BUCKET, E2E_BUCKET]);
  const noOpAws = writeNoOpAws(work);
  const env = { ...server.awsEnv };
  const results: Record<string, unknown>[] = [];
  let e2e: Awaited<ReturnType<typeof endToEnd>> | undefined;
  try {
    for (const files of sizes) {
      say(`no-change: building or reusing a tree of ${files} files under ${trees}`);
      const tree = ensureTree(trees, files);
      say(`no-change: recording its state DB`);
      const build = await child(["build", tree.root, BUCKET], env);
      say(`no-change: the moves pass`);
      const moves = figures(await child(["pass", tree.root, BUCKET, server.local.endpoint], env));
      say(`no-change: the sync pass (aws a no-op)`);
      const sync = figures(await child(["sync", tree.root, BUCKET, server.local.endpoint, noOpAws], env));
      results.push({ files, treeCreateMs: tree.createMs, dbBuildMs: build.wallMs, movesPass: moves, syncPass: sync });
    }
    if (e2eFiles > 0) e2e = await endToEnd(server, trees, work);
  } finally {
    await server.local.stop();
  }
  type Size = { files: number; movesPass: ReturnType<typeof figures>; syncPass: ReturnType<typeof figures> };
  const largest = results[results.length - 1] as Size;
  const smallest = results[0] as Size;
  emit({
    bench: "no-change",
    targets: { passMs: TARGET_MS, maxRssMiB: TARGET_RSS_KIB / 1024, atFiles: 1_000_000 },
    sizes: results,
    endToEnd: e2e,
    ratios: {
      syncPassTime_largest_per_30s: ratio(largest.syncPass.passMs, TARGET_MS),
      syncMaxRss_largest_per_1GiB: ratio(largest.syncPass.maxRssMiB, TARGET_RSS_KIB / 1024),
      movesPassTime_largest_per_30s: ratio(largest.movesPass.passMs, TARGET_MS),
      movesMaxRss_largest_per_1GiB: ratio(largest.movesPass.maxRssMiB, TARGET_RSS_KIB / 1024),
      syncPassTime_growth_per_files_growth: ratio(
        largest.syncPass.passMs / smallest.syncPass.passMs,
        largest.files / smallest.files,
      ),
      endToEnd_wallTime_ours_per_aws: e2e?.ratio ?? null,
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `no-change benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
