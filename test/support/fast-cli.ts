// The CLI bundled once per test run with esbuild (as scripts/build-worker.ts bundles it for Raycast):
// starting it costs a plain `node` start instead of tsx compiling the sources on every run, which is what
// lets the failure tests run the real binary hundreds of times. The bundle is shared by the run's test
// files (each runs in a process of its own): the first to need it builds it under the run's folder, the
// others wait for it. Its folder is named after the sources' paths, sizes and mtimes, so a watch-mode
// rerun after an edit builds afresh.
import { build } from "esbuild";
import { execa } from "execa";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { NODE_BUNDLE_OPTIONS } from "../../scripts/build-worker";
import { parseReports, withoutNodeWarnings, type CliResult } from "./cli";
import { awsEnv } from "./local-s3";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BUILD_OPTIONS = NODE_BUNDLE_OPTIONS;
let built: Promise<string> | undefined;

/** Bundles src/worker/index.ts (the CLI) and sql.js's wasm into `dir`. */
async function buildCli(dir: string): Promise<void> {
  await build({
    ...BUILD_OPTIONS,
    entryPoints: [path.join(root, "src/worker/index.ts")],
    outfile: path.join(dir, "cli.mjs"),
  });
  copyFileSync(createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm"), path.join(dir, "sql-wasm.wasm"));
}

/** What the bundle is made of, as a short hash: every file under src/ and scripts/ (path, size, mtime). */
function sourcesKey(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else {
        const { size, mtimeMs } = statSync(file);
        hash.update(`${path.relative(root, file)}\0${size}\0${mtimeMs}\n`);
      }
    }
  };
  walk(path.join(root, "src"));
  walk(path.join(root, "scripts"));
  return hash.digest("hex").slice(0, 16);
}

/** The run's shared bundle: built by the first file to ask (a lock folder says who), awaited by the others. */
async function sharedCli(runDir: string): Promise<string> {
  const dir = path.join(runDir, `s3ss-cli-${sourcesKey()}`);
  const bin = path.join(dir, "cli.mjs");
  const lock = `${dir}.lock`;
  const deadline = Date.now() + 120_000;
  while (!existsSync(bin)) {
    let mine = false;
    try {
      mkdirSync(lock);
      mine = true;
    } catch {
      // Another file is building it.
    }
    if (mine) {
      try {
        // Built beside, then renamed into place whole: a reader never sees half a bundle.
        const partial = mkdtempSync(`${dir}.partial-`);
        await buildCli(partial);
        renameSync(partial, dir);
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    } else {
      if (Date.now() > deadline) throw new Error(`the shared CLI bundle ${dir} never appeared`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return bin;
}

/** The CLI bundled from the current sources, loading sql.js's wasm from beside it; returns its path. */
export function bundledCli(): Promise<string> {
  built ??= (async () => {
    // The run's folder (test/support/global-setup.ts) holds one bundle for every file of the run.
    const runDir = process.env.S3SS_TEST_RUN_DIR;
    if (runDir && existsSync(runDir)) return sharedCli(runDir);
    const dir = mkdtempSync(path.join(tmpdir(), "s3ss-cli-"));
    await buildCli(dir);
    return path.join(dir, "cli.mjs");
  })();
  return built;
}

/**
 * Bundles any script (e.g. a child for a kill test) next to a copy of sql.js's wasm, into `dir` (a new
 * temporary folder when omitted); returns its path, named after the script.
 */
export async function bundleScript(
  entry: string,
  dir = mkdtempSync(path.join(tmpdir(), "s3ss-script-")),
): Promise<string> {
  const out = path.join(dir, `${path.basename(entry, ".ts")}.mjs`);
  await build({ ...BUILD_OPTIONS, entryPoints: [entry], outfile: out });
  copyFileSync(createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm"), path.join(dir, "sql-wasm.wasm"));
  return out;
}

/** Forgets the file's bundle; one of its own (made outside a test run's folder) is removed. */
export async function disposeBundledCli(): Promise<void> {
  const bin = await built?.catch(() => undefined);
  built = undefined;
  const runDir = process.env.S3SS_TEST_RUN_DIR;
  if (bin && !(runDir && bin.startsWith(runDir + path.sep)))
    rmSync(path.dirname(bin), { recursive: true, force: true });
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
