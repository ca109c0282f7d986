// Trees of many empty files for the scan and no-change benchmarks: 100 files per folder, two levels of
// folders, names with a little unicode. Creating them is the slow part (about 20 µs a file), so a tree is
// built once per size and reused by the benchmarks of one `npm run bench` (BENCH_TREES names the folder).
import { closeSync, existsSync, mkdirSync, openSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";

const PER_DIR = 100;
const DIRS_PER_GROUP = 100;

export interface Tree {
  root: string;
  files: number;
  /** How long building it took (0 when reused). */
  createMs: number;
}

/** `root/tree-<files>` with `files` empty files; reused when a complete one is already there. */
export function ensureTree(parent: string, files: number): Tree {
  const root = path.join(parent, `tree-${files}`);
  const marker = `${root}.complete`;
  if (existsSync(marker)) return { root, files, createMs: 0 };
  const start = performance.now();
  const mtime = new Date(Date.now() - 86_400_000);
  let made = 0;
  for (let d = 0; made < files; d++) {
    const dir = path.join(root, `Group ${Math.floor(d / DIRS_PER_GROUP)}`, `Album ${d % DIRS_PER_GROUP} – Café`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < PER_DIR && made < files; f++, made++) {
      const file = path.join(dir, `${String(f).padStart(3, "0")} Track ${made}.mp3`);
      closeSync(openSync(file, "w"));
    }
  }
  utimesSync(root, mtime, mtime);
  writeFileSync(marker, "");
  return { root, files, createMs: Math.round(performance.now() - start) };
}
