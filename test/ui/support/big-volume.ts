// Child process of the heap test: makes a synced volume of `count` empty files (100 per folder) and its
// state DB, as a first sync would have recorded it. Runs as its own process (bundled with sql.js's wasm
// beside it) so that neither the tree nor the DB ever lives in the test's process, whose heap is measured.
import { closeSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { initSql, loadSqlWasm, openStateDb } from "../../../src/engine/db";
import { scanVolume } from "../../../src/engine/scanner";

const [root, bucket, countText] = process.argv.slice(2);
const count = Number(countText);
await initSql(await loadSqlWasm(path.join(path.dirname(fileURLToPath(import.meta.url)), "sql-wasm.wasm")));

for (let made = 0, d = 0; made < count; d++) {
  const dir = path.join(root!, `Group ${Math.floor(d / 100)}`, `Album ${d % 100}`);
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f < 100 && made < count; f++, made++)
    closeSync(openSync(path.join(dir, `${String(f).padStart(3, "0")} Track ${made}.mp3`), "w"));
}

const scan = await scanVolume({ root: root!, excludes: [] });
const { db } = await openStateDb({ volumeRoot: root! });
const now = Date.now() / 1000;
db.replaceFiles(
  scan.files.map((f) => ({
    path: f.path,
    inode: f.inode,
    size: f.size,
    mtime: f.mtimeMs / 1000,
    synced: now,
    etag: null,
  })),
);
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
process.stdout.write(JSON.stringify({ files: scan.files.length }) + "\n");
