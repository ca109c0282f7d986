// Temporary folders of a benchmark, removed on exit and on Ctrl-C (1M-file trees must not be left behind).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const created: string[] = [];
let hooked = false;

function cleanup(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A new folder under $BENCH_TMP (default the OS temp folder), removed when the process ends. */
export function workDir(name: string, keep = false): string {
  const dir = mkdtempSync(path.join(process.env.BENCH_TMP ?? tmpdir(), `s3ss-bench-${name}-`));
  if (keep) return dir;
  created.push(dir);
  if (!hooked) {
    hooked = true;
    process.on("exit", cleanup);
    for (const signal of ["SIGINT", "SIGTERM"] as const)
      process.on(signal, () => {
        cleanup();
        process.exit(130);
      });
  }
  return dir;
}

export function removeNow(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  const i = created.indexOf(dir);
  if (i >= 0) created.splice(i, 1);
}
