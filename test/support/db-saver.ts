// Child for the power-loss test: saves the volume's state DB over and over, alternating two large states
// (A: every row synced=1, B: every row synced=2), until it is killed. Prints "saved <state>" after each save.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { initSql, loadSqlWasm, openStateDb } from "../../src/engine/db";

import type { FileRecord } from "../../src/engine/types";

const [volumeRoot, rowsText] = process.argv.slice(2);
const rows = Number(rowsText);
await initSql(await loadSqlWasm(path.join(path.dirname(fileURLToPath(import.meta.url)), "sql-wasm.wasm")));

const state = (mark: 1 | 2): FileRecord[] =>
  Array.from({ length: rows + mark * 50 }, (_, i) => ({
    path: `state-${mark}/folder ${i % 97}/file ${i}.flac`,
    inode: i + 1,
    size: 1000 + i,
    mtime: 1_700_000_000 + i,
    synced: mark,
    etag: `"${mark}${i}"`,
  }));

const { db } = await openStateDb({ volumeRoot });
for (let n = 0; ; n++) {
  const mark = n % 2 === 0 ? 1 : 2;
  db.replaceFiles(state(mark));
  db.setMeta("state", String(mark));
  await db.save();
  process.stdout.write(`saved ${mark}\n`);
}
