// The state DB's bulk writes against sql.js's WebAssembly memory, which grows and never shrinks: a write
// of a million rows in one transaction keeps a journal of every page it changed there for the rest of the
// run. Its own file: the memory is this file's sql.js instance, untouched by other tests.
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DB_FILE_NAME, openStateDb } from "../../src/engine/db";
import type { FileRecord } from "../../src/engine/types";

// sql.js instantiates its module through WebAssembly.instantiate; its exported memory is the one that grows.
let memory: WebAssembly.Memory | undefined;
const instantiate = WebAssembly.instantiate.bind(WebAssembly);
WebAssembly.instantiate = (async (...args: Parameters<typeof WebAssembly.instantiate>) => {
  const result = await instantiate(...args);
  const instance = ("instance" in result ? result.instance : result) as WebAssembly.Instance;
  for (const value of Object.values(instance.exports)) if (value instanceof WebAssembly.Memory) memory = value;
  return result;
}) as typeof WebAssembly.instantiate;
const wasmMiB = () => memory!.buffer.byteLength / 2 ** 20;

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), "smart-sync-db-journal-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const ROWS = 400_000;
function record(i: number, folder: string): FileRecord {
  return {
    path: `${folder}/Artist ${i % 97}/Album ${i % 1013}/Track ${String(i).padStart(7, "0")}.flac`,
    inode: 5_000_000_000 + i,
    size: 40_000_000 + i,
    mtime: 1_700_000_000.5 + i,
    synced: 1_700_100_000,
    etag: `${String(i).padStart(8, "0")}aaaabbbbccccddddeeeeffff`,
    defaultSse: true,
  };
}

it("a folder's worth of deletes and writes outside a transaction does not journal the whole table in memory", async () => {
  const { db } = await openStateDb({ volumeRoot: root });
  db.replaceFiles(Array.from({ length: ROWS }, (_, i) => record(i, "Music")));
  await db.save();
  db.close();
  const fileMiB = (await stat(path.join(root, DB_FILE_NAME))).size / 2 ** 20;

  const { db: again } = await openStateDb({ volumeRoot: root });
  expect(again.fileCount()).toBe(ROWS);
  const before = wasmMiB();
  // A folder rename as the move batch records it: every old row goes, then every new one is written.
  again.deleteFiles(
    (function* () {
      for (let i = 0; i < ROWS; i++) yield record(i, "Music").path;
    })(),
  );
  const afterDeletes = wasmMiB();
  again.upsertEach(
    (function* () {
      for (let i = 0; i < ROWS; i++) yield record(i, "Musik");
    })(),
    0,
  );
  expect(again.fileCount()).toBe(ROWS);
  expect(again.getFile(record(7, "Musik").path)).toEqual(record(7, "Musik"));
  expect(again.getFile(record(7, "Music").path)).toBeUndefined();
  // Rows of one folder spread over the table here: one transaction journals every page of it (+47 MiB on
  // this 47 MiB table); transactions of a few thousand rows, the page cache filling and one journal (+19).
  const said = `a ${fileMiB.toFixed(1)} MiB table; ${before} MiB of memory before`;
  expect(afterDeletes - before, said).toBeLessThan(fileMiB / 2);
  expect(wasmMiB() - before, said).toBeLessThan(fileMiB / 2);
  again.close();
});
