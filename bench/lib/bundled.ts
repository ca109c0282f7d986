// The children whose peak RSS a benchmark reports (no-change-pass.ts, the journal's stress child) run from an
// esbuild bundle, as the CLI runs (bin/s3-smart-sync.js loads assets/worker.mjs), not through tsx: tsx's
// loader thread and compiled sources added about 45 MiB to every peak measured (a process that loaded the
// engine held 124 MiB at rest through tsx, 77 as the bundle).
import path from "node:path";
import { bundleScript } from "../../test/support/fast-cli";
import { runMeasured, type CommandCost } from "./measure";
import { ROOT } from "./tools";
import { workDir } from "./workspace";

/** Each entry bundled once per benchmark process, in a folder removed when it ends. */
const scripts = new Map<string, Promise<string>>();

/** Runs the bundled `entry` (relative to the repository) with `args`, measured; returns its cost and last JSON line. */
export async function runBundled(
  entry: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommandCost & { result: Record<string, unknown> }> {
  let script = scripts.get(entry);
  if (!script) scripts.set(entry, (script = bundleScript(path.join(ROOT, entry), workDir("bundle"))));
  const cost = runMeasured(process.execPath, [await script, ...args], { env, keepStdout: true });
  return { ...cost, result: JSON.parse(cost.stdout!.trim().split("\n").pop()!) as Record<string, unknown> };
}

/** The no-change and folder-rename benchmarks' pass (see no-change-pass.ts). */
export const runPass = (args: string[], env: NodeJS.ProcessEnv) => runBundled("bench/lib/no-change-pass.ts", args, env);
