// Benchmark 7: the rename scenario (lib/rename-scenario.ts) on the largest library the local server can
// hold here, at network `none`, for ours, aws and rclone on its own bucket: does the picture of the 1 GiB
// run hold when the library is several times larger? The server keeps every object in RAM (and one
// tool's bucket holds the whole library between its first sync and its read-back), so its peak RSS is
// read from /proc while each tool runs (VmHWM, reset before each tool through clear_refs).
// Size rule (largestLibrary): min(8 GiB, 30% of free memory, 25% of free disk in the work folder).
// - memory: the server's peak RSS measured 1.32× the library (6.5 GiB library, 8.6 GiB peak with aws,
//   which uploads the renamed files under their new keys before it deletes the old ones, so the bucket
//   holds a third of the library twice for a while; 1.28× with rclone's copies, 1.03× with ours, whose
//   moves delete each source right after its copy). 30% of free memory puts that peak at about 40% of it
//   and leaves the rest to the tools, the read-back and whatever else runs here (no swap: past that,
//   something is killed);
// - disk: the pristine library plus one tool's copy at a time;
// - 8 GiB: the whole benchmark measured 637 s for 6.5 GiB (about 100 s per GiB: generation, and per tool a
//   copy, a first sync, the re-sync and a read-back), so 8 GiB stays within about 13-15 minutes.
// The file count scales with the size (400 files per GiB, as the 1 GiB rename run) so the mix of sizes
// and the share of files over 8 MiB stay those of lib/library.ts; the reorganisation is the same.
//   tsx bench/rename-large.ts [--library-size 8GiB] [--library-files 3200] [--tools smart,aws,rclone] [--quick]
import { readFileSync, statfsSync, writeFileSync } from "node:fs";
import { freemem } from "node:os";
import { amountFlag, parseFlags } from "./lib/args";
import {
  libraryFigures,
  runTool,
  scenarioRatios,
  toolsFlag,
  TOOLS,
  writeLibrary,
  type Tool,
  type ToolRun,
} from "./lib/rename-scenario";
import { emit, MiB, ratio, round, say } from "./lib/report";
import { startServer } from "./lib/tools";
import { workDir } from "./lib/workspace";

const GiB = 1024 * MiB;
const CAP_BYTES = 8 * GiB;
const MEMORY_SHARE = 0.3;
const DISK_SHARE = 0.25;
const FILES_PER_GiB = 400;
/** changeSet needs 90 files outside the big folder (a third of the library). */
const MIN_FILES = 300;
const NETWORK = "none";

const flags = parseFlags();
const quick = flags.quick === true;
const tools = toolsFlag(flags, ["smart", "aws", "rclone"]);
const seed = amountFlag(flags, "seed", 1);

/** The size rule, with what limited it: the cap, free memory or free disk (or the flag / --quick). */
function largestLibrary(freeMemoryBytes: number, freeDiskBytes: number) {
  const limits = {
    cap: CAP_BYTES,
    memory: MEMORY_SHARE * freeMemoryBytes,
    disk: DISK_SHARE * freeDiskBytes,
  };
  const [limitedBy, bytes] = Object.entries(limits).sort(([, a], [, b]) => a - b)[0];
  // Whole 256 MiB steps, so runs on the same machine land on the same library.
  return { bytes: Math.max(256 * MiB, Math.floor(bytes / (256 * MiB)) * 256 * MiB), limitedBy };
}

/** Peak resident set of a process since the last reset, in bytes (VmHWM of /proc/<pid>/status). */
function peakRss(pid: number): number {
  const kib = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kib ?? 0) * 1024;
}

/** Resets VmHWM to the current RSS (Linux 4.0+); false when not allowed, and the peak is then since start. */
function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const work = workDir("rename-large");
  const freeMemoryBytes = freemem();
  const { bavail, bsize } = statfsSync(work);
  const freeDiskBytes = bavail * bsize;
  const rule = largestLibrary(freeMemoryBytes, freeDiskBytes);
  const totalBytes = amountFlag(flags, "library-size", quick ? 200 * MiB : rule.bytes);
  const limitedBy = flags["library-size"] !== undefined ? "--library-size" : quick ? "--quick" : rule.limitedBy;
  const fileCount = amountFlag(
    flags,
    "library-files",
    Math.max(MIN_FILES, Math.round((totalBytes / GiB) * FILES_PER_GiB)),
  );
  say(
    `rename-large: ${round(totalBytes / GiB)} GiB (limited by ${limitedBy}; free memory ${round(freeMemoryBytes / GiB)} GiB, free disk ${round(freeDiskBytes / GiB)} GiB), ${fileCount} files`,
  );

  const lib = writeLibrary(work, totalBytes, fileCount, seed);
  const server = await startServer(tools.map((t) => TOOLS[t].bucket));
  const pid = server.local.pid;
  const idleRssBytes = peakRss(pid);
  let peakResettable = true;
  const results: Record<string, unknown> = {};
  const runs: Partial<Record<Tool, ToolRun>> = {};
  let serverPeakRssBytes = 0;
  try {
    for (const tool of tools) {
      peakResettable = resetPeakRss(pid) && peakResettable;
      const { figures, line } = await runTool(server, work, lib, NETWORK, tool);
      const toolPeak = peakRss(pid);
      serverPeakRssBytes = Math.max(serverPeakRssBytes, toolPeak);
      say(`rename-large ${tool}: ${round(figures.wallMs / 1000)} s, server peak RSS ${round(toolPeak / MiB)} MiB`);
      runs[tool] = figures;
      results[TOOLS[tool].label] = { ...line, serverPeakRssMiB: round(toolPeak / MiB) };
    }
  } finally {
    await server.local.stop();
  }
  const r = scenarioRatios(runs, lib.mustUpload);
  const pick = (prefix: string) => Object.fromEntries(Object.entries(r).filter(([k]) => k.startsWith(prefix)));
  emit({
    bench: "rename-large",
    network: NETWORK,
    size: {
      rule: `min(${CAP_BYTES / GiB} GiB, ${MEMORY_SHARE * 100}% of free memory, ${DISK_SHARE * 100}% of free disk)`,
      limitedBy,
      ruleBytes: rule.bytes,
      freeMemoryBytes,
      freeDiskBytes,
    },
    ...libraryFigures(lib),
    server: {
      // The server process (fauxqs and its proxy) while one tool's bucket held the library.
      peakRssBytes: serverPeakRssBytes,
      peakRssMiB: round(serverPeakRssBytes / MiB),
      idleRssMiB: round(idleRssBytes / MiB),
      peakPerTool: peakResettable,
    },
    resync: results,
    benchmarkMs: Math.round(performance.now() - started),
    ratios: {
      ...pick("wallTime_"),
      ...pick("uploadedBytes_"),
      ...pick("requests_"),
      serverPeakRss_per_library: ratio(serverPeakRssBytes, lib.spec.totalBytes),
    },
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `rename-large benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
