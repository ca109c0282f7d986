// Child process of the heap test: a volume whose state DB holds `rows` rows, as a synced volume of that many
// files would, with `files` of them still on the volume (100 per folder; the rest read as deleted since the
// last sync). It runs as its own process (bundled with sql.js's wasm beside it), so that neither the scan nor
// the DB ever lives in the test's process, whose heap is measured.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { initSql, loadSqlWasm, openStateDb } from "../../../src/engine/db";
import { scanVolume } from "../../../src/engine/scanner";
import type { FileRecord } from "../../../src/engine/types";

const [root, bucket, rowsText, filesText] = process.argv.slice(2);
const rows = Number(rowsText);
const files = Number(filesText);
await initSql(await loadSqlWasm(path.join(path.dirname(fileURLToPath(import.meta.url)), "sql-wasm.wasm")));

for (let made = 0, d = 0; made < files; d++) {
  const dir = path.join(root!, `Group ${Math.floor(d / 100)}`, `Album ${d % 100}`);
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f < 100 && made < files; f++, made++)
    // One byte each: zero-length files are never matched by inode, so an empty file's rename is no move.
    writeFileSync(path.join(dir, `${String(f).padStart(3, "0")} Track ${made}.mp3`), "x");
}

const scan = await scanVolume({ root: root!, excludes: [] });
const now = Date.now() / 1000;
const records: FileRecord[] = scan.files.map((f) => ({
  path: f.path,
  inode: f.inode,
  size: f.size,
  mtime: f.mtimeMs / 1000,
  synced: now,
  etag: null,
}));
for (let i = records.length; i < rows; i++) {
  const d = Math.floor(i / 100);
  records.push({
    path: `Archive ${Math.floor(d / 100)}/Album ${d % 100}/${String(i % 100).padStart(3, "0")} Track ${i}.mp3`,
    inode: 1e12 + i,
    size: 4_000_000 + i,
    mtime: now - 86_400,
    synced: now,
    etag: null,
  });
}
const { db } = await openStateDb({ volumeRoot: root! });
db.replaceFiles(records);
db.setTarget(bucket!, "");
db.setMeta(
  "last_run",
  JSON.stringify({
    at: new Date().toISOString(),
    command: "sync",
    status: "ok",
    moves: 0,
    bytesSaved: 0,
    uploads: 0,
    deletes: 0,
  }),
);
await db.save();
db.close();
process.stdout.write(JSON.stringify({ rows: records.length, files: scan.files.length }) + "\n");
