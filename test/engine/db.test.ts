import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import initSqlJs from "sql.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempPathFor, writeFileAtomic } from "../../src/engine/atomic-write";
import { DB_FILE_NAME, loadSqlWasm, openImage, openStateDb, SCHEMA_VERSION, type StateDb } from "../../src/engine/db";
import { SmartSyncError } from "../../src/engine/errors";
import { comparePaths } from "../../src/engine/path-order";
import type { FileRecord } from "../../src/engine/types";

let root: string;
let dbFile: string;
const opened: StateDb[] = [];

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "smart-sync-db-"));
  dbFile = path.join(root, DB_FILE_NAME);
});

afterEach(async () => {
  for (const db of opened.splice(0)) db.close();
  await rm(root, { recursive: true, force: true });
});

async function open(now?: () => Date) {
  const result = await openStateDb({ volumeRoot: root, now });
  opened.push(result.db);
  return result;
}

/** Saves and closes a DB the test is done with (so afterEach does not close it again). */
async function saveAndClose(db: StateDb): Promise<void> {
  await db.save();
  db.close();
  opened.splice(opened.indexOf(db), 1);
}

/** A raw SQLite file written with sql.js directly, as another program would have. */
async function writeRawDb(setup: string): Promise<Uint8Array> {
  const SQL = await initSqlJs({ wasmBinary: (await loadSqlWasm()) as unknown as ArrayBuffer });
  const db = new SQL.Database();
  db.exec(setup);
  const bytes = db.export();
  db.close();
  await writeFile(dbFile, bytes);
  return bytes;
}

const inOrder = (records: FileRecord[]) => [...records].sort((a, b) => comparePaths(a.path, b.path));

function record(i: number, overrides: Partial<FileRecord> = {}): FileRecord {
  return {
    path: `Music/Artist ${i % 13}/Track ${i}.mp3`,
    inode: 5_000_000_000 + i,
    size: 6_000_000_000 + i,
    mtime: 1_700_000_000.123456 + i / 7,
    synced: 1_700_100_000 + i,
    etag: i % 3 === 0 ? null : `etag-${i}`,
    ...overrides,
  };
}

describe("openStateDb", () => {
  it("starts a new empty DB when there is no file, and creates the file only on save", async () => {
    const { db, notices } = await open();
    expect(db.isNew).toBe(true);
    expect(db.path).toBe(dbFile);
    expect(notices).toEqual([]);
    expect(db.fileCount()).toBe(0);
    expect(db.getTarget()).toBeNull();
    await expect(readdir(root)).resolves.toEqual([]);
    await db.save();
    await expect(readdir(root)).resolves.toEqual([DB_FILE_NAME]);
  });

  it("round-trips every table through save and reopen", async () => {
    const { db } = await open(() => new Date("2024-05-06T07:08:09Z"));
    const files = [record(1), record(2), record(3), { ...record(4), path: "Crates/Ünïcödé é/☃ song #1.mp3" }];
    db.setTarget("bucket-music", "crates/2024");
    db.replaceFiles(files);
    db.upsertFiles([{ ...files[0], etag: "new-etag" }]);
    db.setMeta("last_run", JSON.stringify({ moved: 3 }));
    db.addSkippedMove({ fromPath: "a.mp3", toPath: "b.mp3", inode: 7, size: 8, mtime: 9.5 });
    db.upsertPendingRestore({
      fromPath: "old/x.wav",
      toPath: "new/x.wav",
      srcKey: "crates/2024/old/x.wav",
      dstKey: "crates/2024/new/x.wav",
      storageClass: "GLACIER",
      size: 123,
      etag: "abc",
      status: "restoring",
      tier: "Bulk",
      days: 7,
      requestedAt: "2024-05-01T00:00:00.000Z",
    });
    await saveAndClose(db);

    const { db: again, notices } = await open();
    expect(notices).toEqual([]);
    expect(again.isNew).toBe(false);
    expect(again.getTarget()).toEqual({ bucket: "bucket-music", prefix: "crates/2024" });
    const expected = [{ ...files[0], etag: "new-etag" }, ...files.slice(1)].sort((a, b) =>
      Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)),
    );
    expect(again.allFiles()).toEqual(expected);
    expect(again.getFile(files[3].path)).toEqual(files[3]);
    expect(again.getMeta("last_run")).toBe('{"moved":3}');
    expect(again.getMeta("missing")).toBeNull();
    expect(again.skippedMoves()).toEqual([
      { fromPath: "a.mp3", toPath: "b.mp3", inode: 7, size: 8, mtime: 9.5, created: "2024-05-06T07:08:09.000Z" },
    ]);
    expect(again.pendingRestores()).toEqual([
      {
        fromPath: "old/x.wav",
        toPath: "new/x.wav",
        srcKey: "crates/2024/old/x.wav",
        dstKey: "crates/2024/new/x.wav",
        storageClass: "GLACIER",
        size: 123,
        etag: "abc",
        status: "restoring",
        tier: "Bulk",
        days: 7,
        requestedAt: "2024-05-01T00:00:00.000Z",
        updatedAt: "2024-05-06T07:08:09.000Z",
      },
    ]);

    again.removePendingRestore("old/x.wav");
    again.setMeta("last_run", null);
    expect(again.pendingRestores()).toEqual([]);
    expect(again.getMeta("last_run")).toBeNull();
  });

  it("edits file rows: upsert over an existing row, delete", async () => {
    const { db } = await open();
    db.upsertFiles([record(1), record(2), record(3)]);
    db.upsertFiles([record(2, { size: 42 })]);
    expect(db.getFile(record(2).path)?.size).toBe(42);
    db.deleteFiles([record(1).path, record(2).path]);
    expect(db.allFiles().map((f) => f.path)).toEqual([record(3).path]);
  });

  it("replaceFiles makes the given records the whole state, also after small and large changes", async () => {
    const { db } = await open();
    const first = Array.from({ length: 10_000 }, (_, i) => record(i));
    db.replaceFiles(first);
    await db.save();

    // Small change: one row edited, one deleted, one added.
    const small = first.filter((_, i) => i !== 5).map((r, i) => (i === 0 ? { ...r, etag: "changed" } : r));
    small.push(record(20_000));
    db.replaceFiles(small);
    const byPathOrder = (records: FileRecord[]) =>
      [...records].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
    expect(db.allFiles()).toEqual(byPathOrder(small));

    // Large change: every row differs, so the table is rebuilt.
    const large = small.map((r) => ({ ...r, synced: r.synced + 1 }));
    db.replaceFiles(large);
    await saveAndClose(db);
    const { db: again } = await open();
    expect(again.fileCount()).toBe(10_000);
    expect(again.allFiles()).toEqual(byPathOrder(large));
  });

  it("replaceFiles handles names JavaScript and SQLite sort differently, and duplicate paths", async () => {
    const { db } = await open();
    // UTF-16 puts the emoji (surrogates) first, UTF-8 bytes put U+FF01 first.
    const names = ["a/😀.mp3", "a/！.mp3", "a/b.mp3", "a/𝄞 clef.mp3", "a/\uE000.mp3"];
    const base = Array.from({ length: 40 }, (_, i) => record(i));
    db.replaceFiles([...base, ...names.map((name, i) => record(100 + i, { path: name }))]);
    const next = [
      ...base,
      ...names.map((name, i) => record(100 + i, { path: name, size: i === 1 ? 1 : record(100 + i).size })),
      record(200, { path: "a/new.mp3", size: 1 }),
      record(200, { path: "a/new.mp3", size: 2 }),
    ];
    db.replaceFiles(next);
    const got = new Map(db.allFiles().map((r) => [r.path, r]));
    expect(got.size).toBe(46);
    for (const r of next.slice(0, 45)) expect(got.get(r.path)).toEqual(r);
    expect(got.get("a/new.mp3")?.size).toBe(2);
  });

  it("eachFile streams the rows in SQLite's byte order, which comparePaths is", async () => {
    const { db } = await open();
    const names = [
      "a/😀.mp3",
      "a/！.mp3",
      "a/b.mp3",
      "a/𝄞 clef.mp3",
      "a/\uE000.mp3",
      "a/b",
      "a/b/c",
      "a/b!",
      "a0",
      "é",
    ];
    db.replaceFiles(names.map((name, i) => record(i, { path: name })));
    const streamed = [...db.eachFile()];
    expect(streamed.map((r) => r.path)).toEqual([...names].sort(comparePaths));
    expect(streamed.map((r) => r.path)).toEqual(db.allFiles().map((r) => r.path));
    expect(streamed.find((r) => r.path === "a0")).toEqual(record(8, { path: "a0" }));
  });

  it("writeFileChanges writes and deletes only the given rows, and leaves the rest as they were", async () => {
    const { db } = await open();
    db.replaceFiles([record(1), record(2), record(3)]);
    db.writeFileChanges({ upserts: [record(2, { size: 5 }), record(4)], deletes: [record(1).path] });
    expect(db.allFiles()).toEqual(inOrder([record(2, { size: 5 }), record(3), record(4)]));
    db.writeFileChanges({ upserts: [], deletes: [] });
    await db.save();
    const { db: again } = await open();
    expect(again.allFiles()).toEqual(inOrder([record(2, { size: 5 }), record(3), record(4)]));
  });

  it("rolls back changes that fail half-way", async () => {
    const { db } = await open();
    db.replaceFiles([record(1), record(2)]);
    const bad = { ...record(4), inode: undefined as unknown as number };
    expect(() => db.writeFileChanges({ upserts: [record(3), bad], deletes: [record(1).path] })).toThrow();
    expect(db.allFiles()).toEqual([record(1), record(2)]);
  });

  it("rolls back a replace that fails half-way", async () => {
    const { db } = await open();
    db.replaceFiles([record(1), record(2)]);
    const bad = [record(3), { ...record(4), inode: undefined as unknown as number }];
    expect(() => db.replaceFiles(bad)).toThrow();
    expect(db.allFiles()).toEqual([record(1), record(2)]);
  });

  it("moves a file of random bytes aside, says so, and starts a working new DB", async () => {
    const garbage = Buffer.alloc(8192, 7);
    await writeFile(dbFile, garbage);
    const { db, notices } = await open(() => new Date(2024, 0, 2, 3, 4, 5));
    const aside = `${dbFile}.corrupt-20240102-030405`;
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(`moved aside to ${aside}`);
    expect(notices[0]).toContain("this run starts as a first run");
    expect(db.isNew).toBe(true);
    await expect(readFile(aside)).resolves.toEqual(garbage);
    db.replaceFiles([record(1)]);
    await saveAndClose(db);
    const { db: again, notices: none } = await open();
    expect(none).toEqual([]);
    expect(again.allFiles()).toEqual([record(1)]);
  });

  it("leaves a bad file in place when opened read-only, and refuses to save", async () => {
    const garbage = Buffer.alloc(8192, 7);
    await writeFile(dbFile, garbage);
    const { db, notices } = await openStateDb({ volumeRoot: root, readOnly: true });
    opened.push(db);
    expect(notices[0]).toContain("the next sync moves it aside");
    expect(db.allFiles()).toEqual([]);
    await expect(db.save()).rejects.toThrow(/read-only/);
    await expect(readFile(dbFile)).resolves.toEqual(garbage);
    expect((await readdir(root)).sort()).toEqual([DB_FILE_NAME]);
  });

  it("moves a truncated DB aside, without overwriting an earlier one of the same second", async () => {
    const { db } = await open();
    db.replaceFiles(Array.from({ length: 3000 }, (_, i) => record(i)));
    await saveAndClose(db);
    const full = await readFile(dbFile);
    await writeFile(dbFile, full.subarray(0, Math.floor(full.length / 2)));
    const stamp = `${dbFile}.corrupt-20240102-030405`;
    await writeFile(stamp, "an earlier one");

    const { db: fresh, notices } = await open(() => new Date(2024, 0, 2, 3, 4, 5));
    expect(fresh.isNew).toBe(true);
    expect(fresh.fileCount()).toBe(0);
    expect(notices[0]).toContain(`moved aside to ${stamp}-2`);
    await expect(readFile(stamp, "utf8")).resolves.toBe("an earlier one");
    await expect(readFile(`${stamp}-2`)).resolves.toHaveLength(Math.floor(full.length / 2));
  });

  it("moves aside an SQLite file that lacks the tables", async () => {
    await writeRawDb("CREATE TABLE other(x); PRAGMA user_version = 1;");
    const { db, notices } = await open();
    expect(db.isNew).toBe(true);
    expect(notices[0]).toMatch(/table files is missing.*moved aside/);
  });

  it("refuses a DB of a newer schema and leaves its bytes untouched", async () => {
    const bytes = await writeRawDb(`CREATE TABLE future(x); PRAGMA user_version = ${SCHEMA_VERSION + 1};`);
    const error = await openStateDb({ volumeRoot: root }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmartSyncError);
    expect((error as SmartSyncError).code).toBe("DB_NEWER_SCHEMA");
    expect((error as SmartSyncError).hint).toMatch(/^Update S3 Smart Sync/);
    expect(new Uint8Array(await readFile(dbFile))).toEqual(bytes);
    await expect(readdir(root)).resolves.toEqual([DB_FILE_NAME]);
  });

  it("migrates the original Python tool's DB, keeping every row", async () => {
    await writeRawDb(`
      CREATE TABLE files (path TEXT PRIMARY KEY, inode INTEGER, size INTEGER, mtime REAL, synced INTEGER);
      INSERT INTO files VALUES ('Music/a.mp3', 11, 100, 1600000000.5, 1600000100);
      INSERT INTO files VALUES ('Music/b é.flac', 12, 200, 1600000001.25, 1600000200);
      INSERT INTO files VALUES ('z/c.wav', 13, 300, 1600000002, 1600000300);`);
    const { db, notices } = await open();
    expect(notices).toEqual(["The state DB of the original Python tool was migrated (3 file records kept)."]);
    expect(db.isNew).toBe(false);
    expect(db.getTarget()).toBeNull();
    const expected = [
      { path: "Music/a.mp3", inode: 11, size: 100, mtime: 1600000000.5, synced: 1600000100, etag: null },
      { path: "Music/b é.flac", inode: 12, size: 200, mtime: 1600000001.25, synced: 1600000200, etag: null },
      { path: "z/c.wav", inode: 13, size: 300, mtime: 1600000002, synced: 1600000300, etag: null },
    ];
    expect(db.allFiles()).toEqual(expected);
    db.setMeta("k", "v");
    await saveAndClose(db);

    const { db: again, notices: none } = await open();
    expect(none).toEqual([]);
    expect(again.allFiles()).toEqual(expected);
    expect(again.getMeta("k")).toBe("v");
  });

  it("treats an empty SQLite file as a new DB", async () => {
    await writeRawDb("");
    const { db, notices } = await open();
    expect(notices).toEqual([]);
    expect(db.isNew).toBe(true);
  });

  it("keeps working across large writes that outgrow the in-memory file", async () => {
    const { db } = await open();
    db.upsertFiles([record(0)]);
    for (let round = 1; round <= 3; round++) {
      db.upsertFiles(Array.from({ length: 5000 }, (_, i) => record(round * 10_000 + i)));
    }
    expect(db.fileCount()).toBe(15_001);
    await saveAndClose(db);
    const { db: again, notices } = await open();
    expect(notices).toEqual([]);
    expect(again.fileCount()).toBe(15_001);
    again.upsertFiles(Array.from({ length: 5000 }, (_, i) => record(90_000 + i)));
    expect(again.fileCount()).toBe(20_001);
  });

  it("keeps working when a write outgrows the room by more than it was expected to (sql.js grows the file)", async () => {
    const { db } = await open();
    db.upsertFiles(Array.from({ length: 2000 }, (_, i) => record(i)));
    await saveAndClose(db);
    const { db: again } = await open();
    // Rows far bigger than their paths suggest: the room made for them runs out and the file grows in place.
    const big = (i: number) => record(i, { etag: `${i}`.padEnd(2000, "e") });
    again.upsertFiles(Array.from({ length: 4000 }, (_, i) => big(1_000 + i)));
    expect(again.fileCount()).toBe(5_000);
    await saveAndClose(again);
    const { db: third, notices } = await open();
    expect(notices).toEqual([]);
    expect(third.fileCount()).toBe(5_000);
    expect(third.getFile(big(4_999).path)).toEqual(big(4_999));
    expect(third.getFile(record(7).path)).toEqual(record(7));
  });
});

describe("save", () => {
  it("leaves the old DB whole when the temp file cannot be written", async () => {
    const { db } = await open();
    db.replaceFiles([record(1)]);
    await db.save();
    const before = await readFile(dbFile);
    db.replaceFiles([record(1), record(2)]);
    await mkdir(tempPathFor(dbFile)); // a folder where the temp file would go makes the write fail
    await expect(db.save()).rejects.toThrow();
    expect(await readFile(dbFile)).toEqual(before);
    await rm(tempPathFor(dbFile), { recursive: true });
    db.close();
    opened.pop();
    const { db: again, notices } = await open();
    expect(notices).toEqual([]);
    expect(again.allFiles()).toEqual([record(1)]);
  });

  it("writeFileAtomic keeps the old file and removes the temp file when a write fails half-way", async () => {
    const target = path.join(root, "file.bin");
    await writeFile(target, "old complete content");
    const { open: realOpen, rename, unlink } = await import("node:fs/promises");
    const failingOpen = (async (...args: Parameters<typeof realOpen>) => {
      const handle = await realOpen(...args);
      const write = handle.writeFile.bind(handle);
      handle.writeFile = (async (data: Uint8Array) => {
        await write(data.subarray(0, 3));
        throw new Error("disk full");
      }) as typeof handle.writeFile;
      return handle;
    }) as typeof realOpen;
    await expect(
      writeFileAtomic(target, Buffer.from("new content"), { open: failingOpen, rename, unlink }),
    ).rejects.toThrow("disk full");
    await expect(readFile(target, "utf8")).resolves.toBe("old complete content");
    await expect(readdir(root)).resolves.toEqual(["file.bin"]);
    await writeFileAtomic(target, Buffer.from("new content"));
    await expect(readFile(target, "utf8")).resolves.toBe("new content");
    await expect(readdir(root)).resolves.toEqual(["file.bin"]);
  });
});

/** The tables a DB of schema version 1 has, as that version created them. */
const SCHEMA_1_TABLES = `
      CREATE TABLE files(path TEXT PRIMARY KEY NOT NULL, inode INTEGER, size INTEGER, mtime REAL, synced INTEGER,
        etag TEXT) WITHOUT ROWID;
      CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
      CREATE TABLE skipped_moves(from_path TEXT, to_path TEXT, inode INTEGER, size INTEGER, mtime REAL,
        created TEXT, PRIMARY KEY(from_path, to_path));
      CREATE TABLE pending_restores(from_path TEXT PRIMARY KEY, to_path TEXT, src_key TEXT, dst_key TEXT,
        storage_class TEXT, size INTEGER, etag TEXT, status TEXT, tier TEXT, days INTEGER,
        requested_at TEXT, updated_at TEXT);`;

describe("openImage", () => {
  /** A file of `rows` rows as sql.js exports it, in an image with `room` zeroed bytes after it. */
  async function imageOf(rows: number, room: number) {
    const SQL = await initSqlJs({ wasmBinary: (await loadSqlWasm()) as unknown as ArrayBuffer });
    const source = new SQL.Database();
    source.exec("CREATE TABLE t (n INTEGER, s TEXT)");
    for (let n = 0; n < rows; n++) source.run("INSERT INTO t VALUES (?, ?)", [n, `row ${n}`]);
    const bytes = source.export();
    source.close();
    const image = new Uint8Array(bytes.length + room);
    image.set(bytes);
    return { SQL, image, size: bytes.length };
  }
  const changeCounter = (image: Uint8Array) => new DataView(image.buffer, image.byteOffset).getUint32(24);

  it("makes the image the DB's file instead of copying it: writes land in it, its room is the capacity", async () => {
    const { SQL, image, size } = await imageOf(500, 64 * 1024);
    const before = changeCounter(image);
    const { db, capacity } = openImage(SQL, image, size);
    try {
      expect(capacity).toBe(image.length);
      db.run("INSERT INTO t VALUES (?, ?)", [500, "row 500"]);
      // sql.js wrote into the array read from disk: it holds no second copy of the file.
      expect(changeCounter(image)).toBe(before + 1);
      expect(db.exec("SELECT count(*), max(s) FROM t")[0].values).toEqual([[501, "row 99"]]);
      expect(image.slice(0, 16)).not.toBe(image); // a part is still a copy
    } finally {
      db.close();
    }
  });

  it("opens a file whose header does not give its size with no room after it", async () => {
    const { SQL, image, size } = await imageOf(50, 4096);
    new DataView(image.buffer).setUint32(92, 0); // the version the page count was written at: stale
    const { db, capacity } = openImage(SQL, image, size);
    try {
      expect(capacity).toBe(size);
      expect(db.exec("SELECT count(*) FROM t")[0].values).toEqual([[50]]);
    } finally {
      db.close();
    }
  });
});

describe("release", () => {
  it("lets go of a DB that equals its file; the next use reads the same state from it, and later writes are saved", async () => {
    const { db } = await open();
    const files = Array.from({ length: 300 }, (_, i) => record(i));
    db.replaceFiles(files);
    db.setMeta("last_run", "before");
    db.addSkippedMove({ fromPath: "a.mp3", toPath: "b.mp3", inode: 7, size: 8, mtime: 9.5 });
    expect(db.release()).toBe(false); // nothing of it is on disk yet
    await db.save();
    expect(db.release()).toBe(true);
    expect(db.allFiles()).toEqual(inOrder(files));
    expect(db.getMeta("last_run")).toBe("before");
    expect(db.skippedMoves().map((m) => m.toPath)).toEqual(["b.mp3"]);
    db.upsertFiles([record(1000)]);
    db.setMeta("last_run", "after");
    expect(db.release()).toBe(false); // holds a row and a value the file does not
    expect(db.getMeta("last_run")).toBe("after");
    await saveAndClose(db);

    const { db: again } = await open();
    expect(again.release()).toBe(true); // as read, untouched
    expect(again.allFiles()).toEqual(inOrder([...files, record(1000)]));
    expect(again.getMeta("last_run")).toBe("after");
  });

  it("keeps a DB opened read-only (its reader holds no lock: a sync may save the file meanwhile)", async () => {
    const { db } = await open();
    db.replaceFiles([record(1)]);
    await saveAndClose(db);
    const reader = (await openStateDb({ volumeRoot: root, readOnly: true })).db;
    opened.push(reader);
    expect(reader.release()).toBe(false);
    await writeRawDb("CREATE TABLE other (x);");
    expect(reader.allFiles()).toEqual([record(1)]);
  });

  it("keeps a migrated DB until it is saved", async () => {
    await writeRawDb(`
      CREATE TABLE files (path TEXT PRIMARY KEY, inode INTEGER, size INTEGER, mtime REAL, synced INTEGER);
      INSERT INTO files VALUES ('Music/a.mp3', 11, 100, 1600000000.5, 1600000100);`);
    const { db } = await open();
    expect(db.release()).toBe(false);
    await db.save();
    expect(db.release()).toBe(true);
    expect(db.allFiles()).toEqual([
      { path: "Music/a.mp3", inode: 11, size: 100, mtime: 1600000000.5, synced: 1600000100, etag: null },
    ]);
  });

  it("refuses a file another program wrote while it was let go, and does not write over it", async () => {
    const { db } = await open();
    db.replaceFiles([record(1), record(2)]);
    await db.save();
    expect(db.release()).toBe(true);
    const theirs = await writeRawDb("CREATE TABLE other (x); INSERT INTO other VALUES (1);");
    const changed = {
      code: "DB_UNREADABLE",
      message: `The state DB ${dbFile} was changed by another program during this run.`,
    };
    expect(() => db.allFiles()).toThrow(expect.objectContaining(changed));
    await expect(db.save()).rejects.toMatchObject(changed);
    expect(Buffer.from(await readFile(dbFile)).equals(Buffer.from(theirs))).toBe(true);
  });

  it("says the volume went away when its file is gone at the next use", async () => {
    const { db } = await open();
    db.replaceFiles([record(1)]);
    await db.save();
    expect(db.release()).toBe(true);
    await rm(root, { recursive: true, force: true });
    const error = (() => {
      try {
        db.getMeta("last_run");
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(SmartSyncError);
    expect(error).toMatchObject({ code: "VOLUME_MISSING", message: `${root} went away during the run.` });
  });
});

describe("content hashes", () => {
  it("a DB of schema version 1 gains the hash cache and keeps its rows", async () => {
    await writeRawDb(`${SCHEMA_1_TABLES}
      INSERT INTO files VALUES ('a.mp3', 7, 100, 1700000000.5, 1700000001, 'e1');
      PRAGMA user_version = 1;`);
    const { db } = await open();
    expect(db.isNew).toBe(false);
    expect(db.allFiles().map((r) => r.path)).toEqual(["a.mp3"]);
    const file = { inode: 7, size: 100, mtime: 1700000000.5 };
    db.cacheHash(file, "md5", "0123");
    db.cacheHash({ ...file, inode: 8 }, "md5", "4567");
    db.pruneHashes();
    expect(db.cachedHashes(file)).toEqual(new Map([["md5", "0123"]]));
    expect(db.cachedHashes({ ...file, inode: 8 })).toEqual(new Map());
    await db.save();
    const again = (await open()).db;
    expect(again.cachedHashes(file).get("md5")).toBe("0123");
    expect(again.allFiles()).toEqual([
      { path: "a.mp3", inode: 7, size: 100, mtime: 1700000000.5, synced: 1700000001, etag: "e1" },
    ]);
  });

  it("a DB of schema version 2 learns which objects have the bucket's default encryption, knowing none yet", async () => {
    await writeRawDb(`${SCHEMA_1_TABLES}
      CREATE TABLE hashes(inode INTEGER, size INTEGER, mtime REAL, kind TEXT, value TEXT,
        PRIMARY KEY(inode, size, mtime, kind)) WITHOUT ROWID;
      INSERT INTO files VALUES ('a.mp3', 7, 100, 1700000000.5, 1700000001, 'e1');
      INSERT INTO files VALUES ('b.mp3', 8, 200, 1700000000.5, 1700000001, NULL);
      PRAGMA user_version = 2;`);
    const { db } = await open();
    const rows = db.allFiles();
    expect(rows.map((r) => [r.path, r.etag, r.defaultSse])).toEqual([
      ["a.mp3", "e1", undefined],
      ["b.mp3", null, undefined],
    ]);
    db.upsertFiles([{ ...rows[0], defaultSse: true }]);
    await db.save();
    const again = (await open()).db;
    expect(again.allFiles().map((r) => [r.path, r.defaultSse])).toEqual([
      ["a.mp3", true],
      ["b.mp3", undefined],
    ]);
    // A row written again without the flag loses it: the object it describes is another one.
    again.writeFileChanges({ upserts: [{ ...rows[0], etag: "e2" }], deletes: [] });
    expect(again.getFile("a.mp3")?.defaultSse).toBeUndefined();
    expect(SCHEMA_VERSION).toBe(3);
  });
});
