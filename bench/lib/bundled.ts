// The children whose peak RSS a benchmark reports (no-change-pass.ts, the journal's stress child) run from an
// esbuild bundle, as the CLI runs (bin/s3-smart-sync.js loads assets/worker.mjs), not through tsx: tsx's
// loader thread and compiled sources added about 45 MiB to every peak measured (a process that loaded the
// engine held 124 MiB at rest through tsx, 77 as the bundle).
import { buildSync } from "esbuild";
import { copyFileSync } from "node:fs";
import path from "node:path";
import { NODE_BUNDLE_OPTIONS, sqlWasmSource } from "../../scripts/build-worker";
import { runMeasured, type CommandCost } from "./measure";
import { ROOT } from "./tools";
import { workDir } from "./workspace";

const scripts = new Map<string, string>();

/** `entry` (relative to the repository) bundled once per benchmark process, beside a copy of sql.js's wasm. */
function bundled(entry: string): string {
  let script = scripts.get(entry);
  if (script) return script;
  const dir = workDir("bundle");
  script = path.join(dir, `${path.basename(entry, ".ts")}.mjs`);
  buildSync({ ...NODE_BUNDLE_OPTIONS, entryPoints: [path.join(ROOT, entry)], outfile: script });
  copyFileSync(sqlWasmSource(), path.join(dir, "sql-wasm.wasm"));
  scripts.set(entry, script);
  return script;
}

/** Runs the bundled `entry` with `args`, measured; returns its cost and the last JSON line it printed. */
export function runBundled(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): CommandCost & { result: Record<string, unknown> } {
  const cost = runMeasured(process.execPath, [bundled(entry), ...args], { env, keepStdout: true });
  return { ...cost, result: JSON.parse(cost.stdout!.trim().split("\n").pop()!) as Record<string, unknown> };
}

/** The no-change and folder-rename benchmarks' pass (see no-change-pass.ts). */
export const runPass = (args: string[], env: NodeJS.ProcessEnv) => runBundled("bench/lib/no-change-pass.ts", args, env);
