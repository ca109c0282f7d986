// Benchmark 1: the rename scenario, five tool runs, under each network profile. One generated library; for
// each profile and each tool a fresh copy of it, a first sync (unshaped: it is not what is measured), the
// same reorganisation, then the re-sync under the profile. Bytes, requests and their timeline are taken
// at the local server's proxy; every bucket is read back and compared with its volume byte for byte, then
// emptied (the server keeps objects in memory: one library at a time). See lib/rename-scenario.ts.
// The first run after aws (renames made before it, no state DB) is the case content proof is for: each
// tool's bytes hashed and uploaded, and what it uploads for the renamed files over 8 MiB, which aws
// uploaded in parts (their ETags are no MD5s, so rclone --track-renames cannot pair them; we prove them).
// `--tools smart,aws` runs a subset (keys of TOOLS); ratios and firstAfterAws hold only what ran.
//   tsx bench/rename.ts [--library-size 1GiB] [--library-files 400] [--network none,office,home]
//                       [--tools smart,aws,rclone,rcloneAfterAws,smartAfterAws] [--quick]
import { amountFlag, parseFlags } from "./lib/args";
import { PROFILES, profilesFlag } from "./lib/network";
import {
  firstAfterAwsFigures,
  libraryFigures,
  runTool,
  scenarioRatios,
  toolsFlag,
  TOOLS,
  writeLibrary,
  type Tool,
  type ToolRun,
} from "./lib/rename-scenario";
import { emit, MiB } from "./lib/report";
import { startServer } from "./lib/tools";
import { workDir } from "./lib/workspace";

const flags = parseFlags();
const quick = flags.quick === true;
const totalBytes = amountFlag(flags, "library-size", quick ? 100 * MiB : 1024 * MiB);
const fileCount = amountFlag(flags, "library-files", quick ? 300 : 400);
const seed = amountFlag(flags, "seed", 1);
// Quick runs take "office" only: each profile is five first syncs, five re-syncs and five read-backs.
const profiles = profilesFlag(flags, quick ? "office" : "none,office,home");
const tools = toolsFlag(flags);

async function main(): Promise<void> {
  const work = workDir("rename");
  const lib = writeLibrary(work, totalBytes, fileCount, seed);
  const server = await startServer(tools.map((t) => TOOLS[t].bucket));
  const byProfile: Record<string, unknown> = {};
  const ratios: Record<string, number | null> = {};
  try {
    for (const profile of profiles) {
      const results: Record<string, unknown> = {};
      const runs: Partial<Record<Tool, ToolRun>> = {};
      for (const tool of tools) {
        const { figures, line } = await runTool(server, work, lib, profile, tool);
        runs[tool] = figures;
        results[TOOLS[tool].label] = line;
      }
      const r = scenarioRatios(runs, lib.mustUpload);
      byProfile[profile] = {
        network: PROFILES[profile],
        resync: results,
        firstAfterAws: firstAfterAwsFigures(lib, runs),
        ratios: r,
      };
      for (const [k, v] of Object.entries(r)) ratios[`${profile}_${k}`] = v;
    }
  } finally {
    await server.local.stop();
  }
  emit({ bench: "rename", ...libraryFigures(lib), profiles: byProfile, ratios });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `rename benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
