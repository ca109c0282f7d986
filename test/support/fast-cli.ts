// The CLI bundled once per test file with esbuild (as scripts/build-worker.ts bundles it for Raycast):
// starting it costs a plain `node` start instead of tsx compiling the sources on every run, which is what
// lets the failure tests run the real binary hundreds of times.
import { build } from "esbuild";
import { execa } from "execa";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NODE_BUNDLE_OPTIONS } from "../../scripts/build-worker";
import { parseReports, withoutNodeWarnings, type CliResult } from "./cli";
import { awsEnv } from "./local-s3";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BUILD_OPTIONS = NODE_BUNDLE_OPTIONS;
let built: Promise<{ bin: string; dir: string }> | undefined;

/** Bundles src/worker/index.ts (the CLI, loading sql.js's wasm from beside it) into a temp folder. */
export function bundledCli(): Promise<string> {
  built ??= (async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "s3ss-cli-"));
    const bin = path.join(dir, "cli.mjs");
    await build({ ...BUILD_OPTIONS, entryPoints: [path.join(root, "src/worker/index.ts")], outfile: bin });
    copyFileSync(createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm"), path.join(dir, "sql-wasm.wasm"));
    return { bin, dir };
  })();
  return built.then((b) => b.bin);
}

/** Bundles any script (e.g. a child for a kill test) next to a copy of sql.js's wasm; returns its path. */
export async function bundleScript(entry: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "s3ss-script-"));
  const out = path.join(dir, "script.mjs");
  await build({ ...BUILD_OPTIONS, entryPoints: [entry], outfile: out });
  copyFileSync(createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm"), path.join(dir, "sql-wasm.wasm"));
  return out;
}

export async function disposeBundledCli(): Promise<void> {
  if (built) rmSync((await built).dir, { recursive: true, force: true });
  built = undefined;
}

/** Runs the bundled CLI like `runCli` runs bin/s3-smart-sync.js. */
export async function runBundled(
  args: string[],
  options: { local?: { endpoint: string }; env?: NodeJS.ProcessEnv; cwd?: string; timeout?: number } = {},
): Promise<CliResult> {
  const bin = await bundledCli();
  const result = await execa(process.execPath, [bin, ...args], {
    reject: false,
    env: { ...(options.local ? awsEnv(options.local) : process.env), ...options.env },
    extendEnv: false,
    stdin: "ignore",
    cwd: options.cwd,
    timeout: options.timeout ?? 120_000,
  });
  const stdout = String(result.stdout ?? "");
  return {
    exitCode: result.exitCode ?? -1,
    stdout,
    // A run that never exited (killed, timed out, not started) says why, for the assertion's message.
    stderr:
      withoutNodeWarnings(String(result.stderr ?? "")) + (result.exitCode === undefined ? `\n[${result.message}]` : ""),
    reports: parseReports(stdout),
  };
}
