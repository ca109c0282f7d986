// Bundles the CLI into assets/worker.mjs (committed: Raycast's store build runs `ray build` only).
// `--check` rebuilds in memory and fails when the committed bundle differs from the sources.
import { build } from "esbuild";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const WORKER_FILE = path.join(root, "assets/worker.mjs");
export const WASM_FILE = path.join(root, "assets/sql-wasm.wasm");

/** esbuild options for an ESM bundle of engine code that runs on plain Node (the worker, test bundles). */
export const NODE_BUNDLE_OPTIONS = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Readable stack traces in the worker's log matter more than a smaller file.
  minify: false,
  legalComments: "none",
  logLevel: "silent",
  // CommonJS dependencies (commander, sql.js) use require(), __filename and __dirname.
  banner: {
    js: [
      'import { createRequire as __s3ssRequire } from "node:module";',
      'import { fileURLToPath as __s3ssPath } from "node:url";',
      "const require = __s3ssRequire(import.meta.url);",
      "const __filename = __s3ssPath(import.meta.url);",
      'const __dirname = __s3ssPath(new URL(".", import.meta.url));',
    ].join("\n"),
  },
} as const;

/** The bundle's bytes, built from the current sources. */
export async function bundleWorker(): Promise<string> {
  const result = await build({
    ...NODE_BUNDLE_OPTIONS,
    entryPoints: [path.join(root, "src/worker/index.ts")],
    write: false,
  });
  return result.outputFiles[0]!.text;
}

export function sqlWasmSource(): string {
  return createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm");
}

async function main(): Promise<void> {
  const code = await bundleWorker();
  if (process.argv.includes("--check")) {
    const stale = readFileSync(WORKER_FILE, "utf8") !== code;
    const wasmStale = !readFileSync(WASM_FILE).equals(readFileSync(sqlWasmSource()));
    if (stale || wasmStale) {
      console.error(
        "assets/ is stale: run `npm run build:worker` and commit assets/worker.mjs and assets/sql-wasm.wasm.",
      );
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(WORKER_FILE, code);
  copyFileSync(sqlWasmSource(), WASM_FILE);
  console.log(`assets/worker.mjs: ${(code.length / 1e6).toFixed(2)} MB`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
