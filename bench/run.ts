// `npm run bench`: the benchmarks in order, each in its own process (its own heap and RSS), printing
// their JSON lines; writes bench/results/latest.json and latest.md (the README's record: a full run only;
// a run with `--quick` or `--only` writes latest-partial.json and .md instead, which git ignores).
// `--quick` for everyday use (under 5 minutes); `--only rename,moves` to pick; other flags go to every
// benchmark (e.g. `--size 500MiB`).
import { execa } from "execa";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { format, resolveConfig } from "prettier";
import { parseFlags, stringFlag } from "./lib/args";
import { summarize } from "./lib/summary";
import { ROOT } from "./lib/tools";
import { workDir } from "./lib/workspace";
import type { BenchLine } from "./lib/report";

const BENCHES = ["rename", "rename-large", "scan", "no-change", "moves", "folder-rename", "journal"] as const;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flags = parseFlags(argv);
  const only = stringFlag(flags, "only")?.split(",") ?? [...BENCHES];
  const unknown = only.filter((b) => !(BENCHES as readonly string[]).includes(b));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${BENCHES.join(", ")}`);
  const passOn = argv.filter((arg, i) => arg !== "--only" && argv[i - 1] !== "--only" && !arg.startsWith("--only="));
  // Trees of empty files are shared by scan and no-change (a 1M-file tree takes a minute or two to build).
  const trees = workDir("trees");
  const lines: BenchLine[] = [];
  const started = performance.now();
  for (const bench of BENCHES.filter((b) => only.includes(b))) {
    const start = performance.now();
    process.stderr.write(`\n== ${bench} ==\n`);
    const child = await execa(
      process.execPath,
      ["--import", "tsx", path.join(ROOT, "bench", `${bench}.ts`), ...passOn, "--trees", trees],
      {
        cwd: ROOT,
        stdout: "pipe",
        stderr: "inherit",
        reject: false,
        env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
      },
    );
    const line = String(child.stdout)
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .pop();
    if (child.exitCode !== 0 || !line) {
      process.stderr.write(`${bench} failed (exit ${child.exitCode})\n`);
      lines.push({ bench, failed: true, exitCode: child.exitCode, ratios: {} });
      continue;
    }
    const parsed = JSON.parse(line) as BenchLine;
    parsed.benchWallMs = Math.round(performance.now() - start);
    process.stdout.write(JSON.stringify(parsed) + "\n");
    lines.push(parsed);
  }
  const outDir = path.join(ROOT, "bench/results");
  mkdirSync(outDir, { recursive: true });
  const meta = {
    at: new Date().toISOString(),
    command: `npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}`,
    totalMs: Math.round(performance.now() - started),
    node: process.version,
  };
  const name = flags.quick === true || stringFlag(flags, "only") !== undefined ? "latest-partial" : "latest";
  writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify({ ...meta, results: lines }, null, 2) + "\n");
  // Formatted as the repository's prettier would, so `npm run lint` stays clean after a run.
  const mdFile = path.join(outDir, `${name}.md`);
  const markdown = await format(summarize(lines, meta), { ...(await resolveConfig(mdFile)), parser: "markdown" });
  writeFileSync(mdFile, markdown);
  process.stderr.write(
    `\nwrote bench/results/${name}.json and ${name}.md (${Math.round(meta.totalMs / 1000)} s in all)\n`,
  );
  if (lines.some((l) => l.failed)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
