// The per-volume state DB, `<volume>/.s3-smart-sync.db`: sql.js (WASM SQLite) holding the whole file in
// memory, saved atomically. It says, per path, what S3 holds (see DESIGN.md "What the DB may believe").
//
// Decisions:
// - `files` keeps the original Python tool's columns (plus `etag`) so its users keep their history, but is a
//   WITHOUT ROWID table: one B-tree instead of table + path index, which halves the file and makes a 1M-row
//   insert about twice as fast under WASM.
// - The schema version is `PRAGMA user_version`; the Python tool's DB is version 0.
// - A corrupt DB is moved aside and the run starts over as a first run; a newer schema is never touched.
// - sql.js keeps the DB as an in-memory file that grows by 12.5% per write past its end, copying the whole
//   file each time: at 1M rows that copying and the garbage collection it triggers took most of an insert.
//   So the image handed to sql.js has zeroed room after the last page (SQLite goes by the page count in the
//   header), and a large write first makes room by reopening the DB from a bigger image (`reserve`). That
//   reopening holds the file three times at once (the old file, its export, the new image; four before
//   `openImage` handed the image over), so a write that may outgrow the room by a little is left to sql.js's
//   own growth: at a million rows a folder rename's new rows (as many as it deleted) peaked 320 MiB higher
//   through `reserve` (with the four).

import { closeSync, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { readFile, rename, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import initSqlJs from "sql.js";
import type { Database, SqlJsStatic, SqlValue, Statement } from "sql.js";
import { writeFileAtomic } from "./atomic-write";
import { SmartSyncError, volumeWentAway } from "./errors";
import { collectGarbage } from "./heap";
import type { FileRecord } from "./types";

export const DB_FILE_NAME = ".s3-smart-sync.db";
export const SCHEMA_VERSION = 3;

export interface DbTarget {
  bucket: string;
  prefix: string;
}

/** A move the user chose not to make: aws uploads the new path instead. */
export interface SkippedMove {
  fromPath: string;
  toPath: string;
  inode: number;
  size: number;
  /** Seconds since the epoch, like `files.mtime`. */
  mtime: number;
  /** ISO time the user skipped it. */
  created: string;
}

/** A move waiting for its archived source object to be restored. */
export interface PendingRestore {
  fromPath: string;
  toPath: string;
  srcKey: string;
  dstKey: string;
  storageClass: string;
  size: number;
  etag: string | null;
  /** Owned by the archive handler (e.g. "archived", "restoring", "restored"). */
  status: string;
  tier: string | null;
  days: number | null;
  requestedAt: string | null;
  updatedAt: string;
}

export interface OpenStateDbOptions {
  volumeRoot: string;
  /** Bytes of sql-wasm.wasm; read from node_modules when omitted. */
  wasmBinary?: Uint8Array;
  now?: () => Date;
  /** For readers (status, previews): never moves a bad file aside, and the DB cannot be saved. */
  readOnly?: boolean;
}

// ---------------------------------------------------------------------------------------------------------
// Loading sql.js

let sqlModule: Promise<SqlJsStatic> | undefined;

/** Reads sql.js's wasm; Raycast passes `environment.assetsPath + "/sql-wasm.wasm"`. */
export async function loadSqlWasm(wasmPath?: string): Promise<Uint8Array> {
  const file = wasmPath ?? createRequire(import.meta.url).resolve("sql.js/dist/sql-wasm.wasm");
  return new Uint8Array(await readFile(file));
}

/** One initialised module per process: instantiating the wasm costs tens of milliseconds and memory. */
/**
 * Loads sql.js from these wasm bytes now, for hosts without node_modules (the bundled Raycast worker);
 * later opens reuse the module.
 */
export async function initSql(wasmBinary: Uint8Array): Promise<void> {
  await getSql(wasmBinary);
}

function getSql(wasmBinary?: Uint8Array): Promise<SqlJsStatic> {
  sqlModule ??= (async () => {
    const binary = wasmBinary ?? (await loadSqlWasm());
    // sql.js's typings want an ArrayBuffer; a Uint8Array is what Emscripten actually accepts too.
    return initSqlJs({ wasmBinary: binary as unknown as ArrayBuffer });
  })();
  sqlModule.catch(() => {
    sqlModule = undefined;
  });
  return sqlModule;
}

// ---------------------------------------------------------------------------------------------------------
// Schema

const FILE_COLUMNS = ["path", "inode", "size", "mtime", "synced", "etag"];
/** `default_sse` 1: the object was written by aws or by a copy of ours without encryption settings. */
const FILE_COLUMNS_V3 = [...FILE_COLUMNS, "default_sse"];
const PYTHON_TOOL_COLUMNS = ["path", "inode", "size", "mtime", "synced"];

/** The tables of schema version 1; later versions add theirs in REQUIRED_SINCE. */
const REQUIRED_COLUMNS: Record<string, string[]> = {
  files: FILE_COLUMNS,
  meta: ["key", "value"],
  skipped_moves: ["from_path", "to_path", "inode", "size", "mtime", "created"],
  pending_restores: [
    "from_path",
    "to_path",
    "src_key",
    "dst_key",
    "storage_class",
    "size",
    "etag",
    "status",
    "tier",
    "days",
    "requested_at",
    "updated_at",
  ],
};

const REQUIRED_SINCE: Record<number, Record<string, string[]>> = {
  2: { hashes: ["inode", "size", "mtime", "kind", "value"] },
  3: { files: FILE_COLUMNS_V3 },
};

/** Every table (and its columns) a DB of `version` must have. */
function requiredTables(version: number): Record<string, string[]> {
  if (version === 0) return { files: PYTHON_TOOL_COLUMNS };
  const tables = { ...REQUIRED_COLUMNS };
  for (const [since, more] of Object.entries(REQUIRED_SINCE)) if (Number(since) <= version) Object.assign(tables, more);
  return tables;
}

/** Each entry brings a DB from `version - 1` to `version`; run in order inside one transaction each. */
const MIGRATIONS: { version: number; migrate: (db: Database) => void }[] = [
  {
    version: 1,
    migrate(db) {
      const createFiles = `CREATE TABLE files(path TEXT PRIMARY KEY NOT NULL, inode INTEGER, size INTEGER,
        mtime REAL, synced INTEGER, etag TEXT) WITHOUT ROWID`;
      if (tableColumns(db, "files").length > 0) {
        // The Python tool's table: rebuild it in the new shape, keeping every row.
        db.exec(createFiles.replace("TABLE files", "TABLE files_v1"));
        db.exec(`INSERT INTO files_v1(path, inode, size, mtime, synced)
          SELECT path, inode, size, mtime, synced FROM files WHERE path IS NOT NULL ORDER BY path`);
        db.exec("DROP TABLE files");
        db.exec("ALTER TABLE files_v1 RENAME TO files");
      } else {
        db.exec(createFiles);
      }
      db.exec(`
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE skipped_moves(from_path TEXT, to_path TEXT, inode INTEGER, size INTEGER, mtime REAL,
          created TEXT, PRIMARY KEY(from_path, to_path));
        CREATE TABLE pending_restores(from_path TEXT PRIMARY KEY, to_path TEXT, src_key TEXT, dst_key TEXT,
          storage_class TEXT, size INTEGER, etag TEXT, status TEXT, tier TEXT, days INTEGER,
          requested_at TEXT, updated_at TEXT);`);
    },
  },
  {
    version: 2,
    migrate(db) {
      // Hashes of file contents by (inode, size, mtime): a file is read once to prove it, not once per run.
      db.exec(`CREATE TABLE hashes(inode INTEGER, size INTEGER, mtime REAL, kind TEXT, value TEXT,
        PRIMARY KEY(inode, size, mtime, kind)) WITHOUT ROWID`);
    },
  },
  {
    version: 3,
    migrate(db) {
      // Which objects carry the bucket's default encryption: a copy of one needs no HEAD to learn its SSE-KMS key.
      db.exec("ALTER TABLE files ADD COLUMN default_sse INTEGER");
    },
  },
];

function tableColumns(db: Database, table: string): string[] {
  const result = db.exec(`PRAGMA table_info(${table})`);
  return result.length === 0 ? [] : result[0].values.map((row) => String(row[1]));
}

function scalar(db: Database, sql: string): SqlValue {
  const result = db.exec(sql);
  return result.length === 0 ? null : result[0].values[0][0];
}

/** Why a DB of a known version is not usable, or undefined when its tables are all there. */
function schemaProblem(db: Database, version: number): string | undefined {
  const required = requiredTables(version);
  if (version === 0 && scalar(db, "SELECT count(*) FROM sqlite_master") === 0) return undefined;
  for (const [table, columns] of Object.entries(required)) {
    const present = tableColumns(db, table);
    if (present.length === 0) return `table ${table} is missing`;
    const missing = columns.filter((column) => !present.includes(column));
    if (missing.length > 0) return `table ${table} lacks column ${missing.join(", ")}`;
  }
  return undefined;
}

function migrate(db: Database, from: number): void {
  for (const step of MIGRATIONS) {
    if (step.version <= from) continue;
    db.exec("BEGIN");
    try {
      step.migrate(db);
      db.exec(`PRAGMA user_version = ${step.version}`);
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    }
  }
}

/** Per-connection settings; the DB lives in memory, so durability comes from `save()`, not from SQLite. */
function configure(db: Database): void {
  // MEMORY (not OFF) keeps ROLLBACK working, so a failed write leaves the in-memory DB as it was. The page
  // cache stays SQLite's default (2 MiB): the file is in memory already, so a miss is a copy from it. 32 MiB
  // cost 22 MiB of WebAssembly memory for good (46 against 24 at a million rows) and saved no time on
  // writing, reading or renaming a million rows.
  db.exec("PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;");
}

// ---------------------------------------------------------------------------------------------------------
// Opening

const SQLITE_MAGIC = "SQLite format 3\0";
/**
 * Rows per transaction of a bulk write the caller did not wrap in one. The MEMORY journal holds the old
 * content of every page a transaction changes, in sql.js's WebAssembly memory, which never shrinks: a
 * million deletes in one transaction journal the whole table (about 110 MiB kept for the rest of the run
 * at a million rows). Rows scattered over the table touch a page each: at most 16 MiB of journal here.
 */
const ROWS_PER_TRANSACTION = 4096;
/** A write expected to need up to this times the room is left to grow in place (two of sql.js's steps). */
const GROW_IN_PLACE_UP_TO = 1.25;
const MIB = 1024 * 1024;
/** From this size on, a DB export is collected once saved (see `save`). */
const LARGE_IMAGE = 32 * MIB;

/** Room left after the pages of a DB read from disk: enough for a run where little changed. */
function headroom(size: number): number {
  return Math.ceil(size / 8) + 4 * MIB;
}

/**
 * Opens the first `size` bytes of `image` as a DB, keeping the rest of `image` as room to grow into, and
 * says how many bytes the DB can hold before sql.js must grow its file. The image becomes the DB's file
 * (`handOver`): the caller must not use it afterwards.
 */
export function openImage(SQL: SqlJsStatic, image: Uint8Array, size: number): { db: Database; capacity: number } {
  const file = pageCountIsValid(image, size) ? image : image.subarray(0, size);
  return { db: new SQL.Database(handOver(file)), capacity: file.length };
}

/**
 * `image`, made to be taken rather than copied. sql.js stores the bytes it is given with `slice(0, length)`
 * (Emscripten's MEMFS, when the file is written from the start), so for a moment a DB read from disk was
 * held twice: opening a million-row DB peaked at 486 MiB RSS, 331 without the copy. A slice of the
 * whole array returns the array itself; any other slice copies as usual, so a sql.js that stores the
 * bytes another way still gets what it asks for.
 */
function handOver(image: Uint8Array): Uint8Array {
  const copy = image.slice.bind(image);
  return Object.defineProperty(image, "slice", {
    value: (start?: number, end?: number) =>
      (start ?? 0) === 0 && (end ?? image.length) >= image.length ? image : copy(start, end),
  });
}

/**
 * Whether SQLite will size the DB from the header's page count rather than from the file size (see
 * "in-header database size" in the file format); only then may zeroed room follow the last page.
 */
function pageCountIsValid(image: Uint8Array, size: number): boolean {
  if (size < 100) return false;
  const view = new DataView(image.buffer, image.byteOffset, 100);
  const rawPageSize = view.getUint16(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  const pages = view.getUint32(28);
  return pages > 0 && view.getUint32(24) === view.getUint32(92) && pages * pageSize === size;
}

/** The DB file as read or saved: which file, and the version of it, `StateDb` reads again after `release`. */
interface FileIdentity {
  ino: number;
  size: number;
  mtimeMs: number;
}

function identityOf(stats: Stats): FileIdentity {
  return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
}

/**
 * Reads the DB file into a buffer with room to grow; undefined when there is no file. With `expected`,
 * throws `changed` when the file is not that one any more. Synchronous: `StateDb` reads again from getters.
 */
function readImage(
  file: string,
  expected?: { identity: FileIdentity; changed: () => Error },
): { image: Uint8Array; size: number; identity: FileIdentity } | undefined {
  let fd;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !expected) return undefined;
    throw error;
  }
  try {
    const identity = identityOf(fstatSync(fd));
    if (expected && !isDeepStrictEqual(identity, expected.identity)) throw expected.changed();
    const { size } = identity;
    const image = new Uint8Array(size + headroom(size));
    for (let offset = 0; offset < size;) {
      const bytesRead = readSync(fd, image, offset, size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    return { image, size, identity };
  } finally {
    closeSync(fd);
  }
}

type Inspection = { ok: true; db: Database; capacity: number; version: number } | { ok: false; reason: string };

function inspect(SQL: SqlJsStatic, image: Uint8Array, size: number, dbPath: string): Inspection {
  if (size === 0) return { ok: false, reason: "the file is empty" };
  if (size < 100 || Buffer.from(image.subarray(0, 16)).toString("latin1") !== SQLITE_MAGIC) {
    return { ok: false, reason: "it is not an SQLite database" };
  }
  let db: Database | undefined;
  let capacity: number;
  try {
    ({ db, capacity } = openImage(SQL, image, size));
    const version = Number(scalar(db, "PRAGMA user_version"));
    if (version > SCHEMA_VERSION) {
      throw new SmartSyncError(
        "DB_NEWER_SCHEMA",
        `The state DB ${dbPath} has schema version ${version}; this version of S3 Smart Sync knows up to ${SCHEMA_VERSION}.`,
        { hint: "Update S3 Smart Sync to the version that wrote this DB, then run again." },
      );
    }
    const check = db.exec("PRAGMA quick_check");
    const verdict = check.length === 0 ? "no answer" : check[0].values.map((row) => String(row[0])).join("; ");
    const short = verdict.replace(/\s+/g, " ").slice(0, 200);
    if (verdict !== "ok") return fail(db, `the integrity check failed: ${short}`);
    const problem = schemaProblem(db, version);
    if (problem) return fail(db, problem);
    return { ok: true, db, capacity, version };
  } catch (error) {
    db?.close();
    if (error instanceof SmartSyncError) throw error;
    return { ok: false, reason: `SQLite cannot read it (${error instanceof Error ? error.message : String(error)})` };
  }
}

function fail(db: Database, reason: string): Inspection {
  db.close();
  return { ok: false, reason };
}

function timestamp(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${date.getFullYear()}${two(date.getMonth() + 1)}${two(date.getDate())}-` +
    `${two(date.getHours())}${two(date.getMinutes())}${two(date.getSeconds())}`
  );
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function moveAside(dbPath: string, now: Date): Promise<string> {
  const base = `${dbPath}.corrupt-${timestamp(now)}`;
  let target = base;
  for (let n = 2; await exists(target); n++) target = `${base}-${n}`;
  try {
    await rename(dbPath, target);
  } catch (error) {
    throw new SmartSyncError("DB_UNREADABLE", `The state DB ${dbPath} is corrupt and cannot be moved aside.`, {
      hint: "Check that the volume is writable, or move the file away yourself.",
      cause: error,
    });
  }
  return target;
}

/**
 * Opens (or starts) the volume's state DB. A corrupt file is moved aside and reported in `notices`;
 * a DB of a newer schema throws `DB_NEWER_SCHEMA` and is left untouched.
 */
export async function openStateDb(options: OpenStateDbOptions): Promise<{ db: StateDb; notices: string[] }> {
  const now = options.now ?? (() => new Date());
  const dbPath = path.join(options.volumeRoot, DB_FILE_NAME);
  const SQL = await getSql(options.wasmBinary);
  const notices: string[] = [];

  let file: ReturnType<typeof readImage>;
  try {
    file = readImage(dbPath);
  } catch (error) {
    throw new SmartSyncError("DB_UNREADABLE", `Cannot read the state DB ${dbPath}.`, {
      hint: "Check the file's permissions and that the volume is mounted.",
      cause: error,
    });
  }

  if (file) {
    const found = inspect(SQL, file.image, file.size, dbPath);
    if (found.ok) {
      // A version-0 file without `files` is an empty SQLite file: nothing recorded yet.
      const empty = found.version === 0 && tableColumns(found.db, "files").length === 0;
      if (found.version === 0 && !empty) {
        const rows = Number(scalar(found.db, "SELECT count(*) FROM files"));
        notices.push(`The state DB of the original Python tool was migrated (${rows} file records kept).`);
      }
      migrate(found.db, found.version);
      configure(found.db);
      const { capacity } = found;
      const readOnly = options.readOnly;
      // A migrated DB differs from its file until saved.
      const onDisk = found.version === SCHEMA_VERSION ? file.identity : undefined;
      return {
        db: new StateDb({ SQL, db: found.db, capacity, path: dbPath, isNew: empty, now, readOnly, onDisk }),
        notices,
      };
    }
    if (options.readOnly) {
      // Readers (status, previews) leave a bad file for the next run to move aside.
      notices.push(
        `The state DB ${dbPath} is unusable (${found.reason}); the next sync moves it aside and starts afresh.`,
      );
      const db = new SQL.Database();
      migrate(db, 0);
      return { db: new StateDb({ SQL, db, capacity: 0, path: dbPath, isNew: true, now, readOnly: true }), notices };
    }
    const aside = await moveAside(dbPath, now());
    notices.push(
      `The state DB ${dbPath} was unusable (${found.reason}); it was moved aside to ${aside}; this run starts as a first run.`,
    );
  }

  const db = new SQL.Database();
  migrate(db, 0);
  configure(db);
  return { db: new StateDb({ SQL, db, capacity: 0, path: dbPath, isNew: true, now }), notices };
}

// ---------------------------------------------------------------------------------------------------------
// The DB

type FileRow = [string, number, number, number, number, string | null, number | null];
const FILE_FIELDS = FILE_COLUMNS_V3.join(", ");

function fileRow(record: FileRecord): FileRow {
  return [
    record.path,
    record.inode,
    record.size,
    record.mtime,
    record.synced,
    record.etag ?? null,
    record.defaultSse ? 1 : null,
  ];
}

function fileRecord(row: FileRow): FileRecord {
  return {
    path: row[0],
    inode: row[1],
    size: row[2],
    mtime: row[3],
    synced: row[4],
    etag: row[5],
    defaultSse: row[6] === 1 || undefined,
  };
}

/** Roughly what a row takes in the file: path, numbers, an ETag for some, B-tree overhead. */
export function rowBytes(filePath: string): number {
  return filePath.length * 1.2 + 80;
}

function estimateBytes(records: FileRecord[]): number {
  let bytes = 0;
  for (const record of records) bytes += rowBytes(record.path);
  return Math.ceil(bytes);
}

function byPath(a: FileRecord, b: FileRecord): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export class StateDb {
  /** True when no usable DB existed: this run is a first run. */
  readonly isNew: boolean;
  readonly path: string;
  readonly readOnly: boolean;
  /** The open DB; undefined while released (`release`), until the next use reads the file again. */
  private current: Database | undefined;
  /**
   * The file when the DB last equalled it (read without a migration, or saved), and SQLite's count of
   * changed rows then: while the count stands, the file holds what the DB holds.
   */
  private onDisk: { identity: FileIdentity; changes: number } | undefined;
  private readonly SQL: SqlJsStatic;
  /** Bytes the in-memory file can hold before sql.js must grow it. */
  private capacity: number;
  private readonly now: () => Date;
  private readonly statements = new Map<string, Statement>();
  private transactionDepth = 0;

  /** Use `openStateDb`. */
  constructor(init: {
    SQL: SqlJsStatic;
    db: Database;
    capacity: number;
    path: string;
    isNew: boolean;
    now: () => Date;
    readOnly?: boolean;
    /** The file `db` was read from, when it holds what `db` holds. */
    onDisk?: FileIdentity;
  }) {
    this.readOnly = init.readOnly ?? false;
    this.SQL = init.SQL;
    this.current = init.db;
    this.capacity = init.capacity;
    this.path = init.path;
    this.isNew = init.isNew;
    this.now = init.now;
    if (init.onDisk) this.onDisk = { identity: init.onDisk, changes: this.changes() };
  }

  private get db(): Database {
    if (this.current) return this.current;
    this.current = this.readAgain();
    return this.current;
  }

  // --- target -------------------------------------------------------------------------------------------

  getTarget(): DbTarget | null {
    const bucket = this.getMeta("bucket");
    return bucket === null ? null : { bucket, prefix: this.getMeta("prefix") ?? "" };
  }

  setTarget(bucket: string, prefix: string): void {
    this.transaction(() => {
      this.setMeta("bucket", bucket);
      this.setMeta("prefix", prefix);
    });
  }

  // --- files --------------------------------------------------------------------------------------------

  /** Every row, in path order (SQLite's byte order). */
  allFiles(): FileRecord[] {
    const statement = this.statement(`SELECT ${FILE_FIELDS} FROM files ORDER BY path`);
    const records: FileRecord[] = [];
    try {
      while (statement.step()) {
        records.push(fileRecord(statement.get() as FileRow));
      }
    } finally {
      statement.reset();
    }
    return records;
  }

  /**
   * Every row in path order, one at a time: a walk over a million rows need not hold them all. Its own
   * statement, freed when the walk ends (also early), so other queries may run meanwhile; do not write
   * `files` before it ends.
   */
  *eachFile(): Generator<FileRecord> {
    const statement = this.db.prepare(`SELECT ${FILE_FIELDS} FROM files ORDER BY path`);
    try {
      while (statement.step()) {
        yield fileRecord(statement.get() as FileRow);
      }
    } finally {
      statement.free();
    }
  }

  getFile(filePath: string): FileRecord | undefined {
    const statement = this.statement(`SELECT ${FILE_FIELDS} FROM files WHERE path = ?`);
    try {
      statement.bind([filePath]);
      if (!statement.step()) return undefined;
      return fileRecord(statement.get() as FileRow);
    } finally {
      statement.reset();
    }
  }

  fileCount(): number {
    return Number(this.one("SELECT count(*) FROM files"));
  }

  /**
   * Makes `records` the whole recorded state, in one transaction. Rows equal to the stored ones are not
   * rewritten, so a pass where little changed is cheap; keep `synced` of unchanged files as it was to profit.
   */
  replaceFiles(records: FileRecord[]): void {
    const sorted = [...records].sort(byPath);
    const stored = this.fileCount();
    if (stored === 0) {
      this.reserve(estimateBytes(sorted));
      this.transaction(() => this.upsertFiles(sorted));
      return;
    }
    const { gone, changed } = this.diffFiles(sorted);
    if (gone.length + changed.length > stored / 2) {
      // Mostly new content: rebuilding in path order beats scattered replaces.
      this.reserve(estimateBytes(sorted));
      this.transaction(() => {
        this.db.exec("DELETE FROM files");
        this.upsertFiles(sorted);
      });
      return;
    }
    this.reserve(estimateBytes(changed));
    this.transaction(() => {
      this.deleteFiles(gone);
      this.upsertFiles(changed);
    });
  }

  /**
   * Stored paths absent from `sorted`, and records that are new or differ from their row, by walking the
   * table and the records in path order together (a Map of a million paths costs several times more).
   * JavaScript orders strings by UTF-16 units, SQLite by UTF-8 bytes; where they disagree (astral
   * characters against U+E000–U+FFFF) a path shows up as both gone and changed: deleted, then written
   * again, which is still right.
   */
  private diffFiles(sorted: FileRecord[]): { gone: string[]; changed: FileRecord[] } {
    const gone: string[] = [];
    const changed: FileRecord[] = [];
    const statement = this.statement(`SELECT ${FILE_FIELDS} FROM files ORDER BY path`);
    let i = 0;
    try {
      while (statement.step()) {
        const row = statement.get() as FileRow;
        const stored = row[0];
        while (i < sorted.length && sorted[i].path < stored) changed.push(sorted[i++]);
        // Of records with the same path the last one counts, as in upsertFiles.
        while (i + 1 < sorted.length && sorted[i].path === stored && sorted[i + 1].path === stored) i++;
        if (i >= sorted.length || sorted[i].path !== stored) {
          gone.push(stored);
          continue;
        }
        const record = sorted[i++];
        if (
          record.inode !== row[1] ||
          record.size !== row[2] ||
          record.mtime !== row[3] ||
          record.synced !== row[4] ||
          (record.etag ?? null) !== row[5] ||
          (record.defaultSse ? 1 : null) !== row[6]
        ) {
          changed.push(record);
        }
      }
    } finally {
      statement.reset();
    }
    while (i < sorted.length) changed.push(sorted[i++]);
    return { gone, changed };
  }

  /** Writes and deletes these rows in one transaction; nothing at all when there is nothing to change. */
  writeFileChanges(changes: { upserts: FileRecord[]; deletes: string[] }): void {
    if (changes.upserts.length === 0 && changes.deletes.length === 0) return;
    this.reserve(estimateBytes(changes.upserts));
    this.transaction(() => {
      this.deleteFiles(changes.deletes);
      this.upsertFiles(changes.upserts);
    });
  }

  upsertFiles(records: FileRecord[]): void {
    this.upsertEach(records, records.length > 1000 ? estimateBytes(records) : 0);
  }

  /**
   * Writes rows made one at a time (a million need not exist as objects at once), in transactions of
   * ROWS_PER_TRANSACTION unless the caller holds one. `bytes` is roughly what they take (`rowBytes` each);
   * room is made for it first.
   */
  upsertEach(records: Iterable<FileRecord>, bytes: number): void {
    if (bytes > 0) this.reserve(Math.ceil(bytes));
    const statement = this.statement(`INSERT OR REPLACE INTO files(${FILE_FIELDS}) VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.inTransactions(records, (record) => statement.run(fileRow(record)));
  }

  /** Deletes these rows, in transactions of ROWS_PER_TRANSACTION unless the caller holds one. */
  deleteFiles(paths: Iterable<string>): void {
    const statement = this.statement("DELETE FROM files WHERE path = ?");
    this.inTransactions(paths, (filePath) => statement.run([filePath]));
  }

  // --- meta ---------------------------------------------------------------------------------------------

  getMeta(key: string): string | null {
    const value = this.one("SELECT value FROM meta WHERE key = ?", [key]);
    return value === null || value === undefined ? null : String(value);
  }

  /** Stores `value` under `key`; null removes the key. */
  setMeta(key: string, value: string | null): void {
    if (value === null) this.statement("DELETE FROM meta WHERE key = ?").run([key]);
    else this.statement("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)").run([key, value]);
  }

  // --- skipped moves ------------------------------------------------------------------------------------

  addSkippedMove(move: Omit<SkippedMove, "created"> & { created?: string }): void {
    this.statement(
      `INSERT OR REPLACE INTO skipped_moves(from_path, to_path, inode, size, mtime, created)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ).run([move.fromPath, move.toPath, move.inode, move.size, move.mtime, move.created ?? this.now().toISOString()]);
  }

  skippedMoves(): SkippedMove[] {
    return this.rows(
      "SELECT from_path, to_path, inode, size, mtime, created FROM skipped_moves ORDER BY from_path, to_path",
    ).map((row) => ({
      fromPath: String(row[0]),
      toPath: String(row[1]),
      inode: Number(row[2]),
      size: Number(row[3]),
      mtime: Number(row[4]),
      created: String(row[5]),
    }));
  }

  /** Undo of a skip: the planner proposes the move again. */
  removeSkippedMove(fromPath: string, toPath: string): void {
    this.statement("DELETE FROM skipped_moves WHERE from_path = ? AND to_path = ?").run([fromPath, toPath]);
  }

  // --- pending restores ---------------------------------------------------------------------------------

  upsertPendingRestore(restore: Omit<PendingRestore, "updatedAt"> & { updatedAt?: string }): void {
    this.statement(
      `INSERT OR REPLACE INTO pending_restores(from_path, to_path, src_key, dst_key, storage_class, size, etag,
       status, tier, days, requested_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run([
      restore.fromPath,
      restore.toPath,
      restore.srcKey,
      restore.dstKey,
      restore.storageClass,
      restore.size,
      restore.etag,
      restore.status,
      restore.tier,
      restore.days,
      restore.requestedAt,
      restore.updatedAt ?? this.now().toISOString(),
    ]);
  }

  pendingRestores(): PendingRestore[] {
    return this.rows(
      `SELECT from_path, to_path, src_key, dst_key, storage_class, size, etag, status, tier, days, requested_at,
       updated_at FROM pending_restores ORDER BY from_path`,
    ).map((row) => ({
      fromPath: String(row[0]),
      toPath: String(row[1]),
      srcKey: String(row[2]),
      dstKey: String(row[3]),
      storageClass: String(row[4]),
      size: Number(row[5]),
      etag: row[6] === null ? null : String(row[6]),
      status: String(row[7]),
      tier: row[8] === null ? null : String(row[8]),
      days: row[9] === null ? null : Number(row[9]),
      requestedAt: row[10] === null ? null : String(row[10]),
      updatedAt: String(row[11]),
    }));
  }

  removePendingRestore(fromPath: string): void {
    this.statement("DELETE FROM pending_restores WHERE from_path = ?").run([fromPath]);
  }

  // --- content hashes -----------------------------------------------------------------------------------

  /** Hashes computed earlier of the file with this identity (kind → value). */
  cachedHashes(file: { inode: number; size: number; mtime: number }): Map<string, string> {
    const statement = this.statement("SELECT kind, value FROM hashes WHERE inode = ? AND size = ? AND mtime = ?");
    const found = new Map<string, string>();
    try {
      statement.bind([file.inode, file.size, file.mtime]);
      while (statement.step()) {
        const [kind, value] = statement.get() as [string, string];
        found.set(kind, value);
      }
    } finally {
      statement.reset();
    }
    return found;
  }

  cacheHash(file: { inode: number; size: number; mtime: number }, kind: string, value: string): void {
    this.statement("INSERT OR REPLACE INTO hashes(inode, size, mtime, kind, value) VALUES (?, ?, ?, ?, ?)").run([
      file.inode,
      file.size,
      file.mtime,
      kind,
      value,
    ]);
  }

  /** Forgets hashes of files that are no longer recorded (edited, deleted). */
  pruneHashes(): void {
    this.db.exec(`DELETE FROM hashes WHERE NOT EXISTS (SELECT 1 FROM files f
      WHERE f.inode = hashes.inode AND f.size = hashes.size AND f.mtime = hashes.mtime)`);
  }

  // --- whole DB -----------------------------------------------------------------------------------------

  /** Runs `fn` in one transaction (joined when one is open); rolls back if it throws. */
  transaction<T>(fn: () => T): T {
    if (this.transactionDepth > 0) return fn();
    this.db.exec("BEGIN");
    this.transactionDepth = 1;
    try {
      const result = fn();
      this.db.exec("COMMIT");
      return result;
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    } finally {
      this.transactionDepth = 0;
    }
  }

  /** Writes the DB atomically: the file on disk is always either the previous or this complete DB. */
  async save(): Promise<void> {
    if (this.readOnly) throw new Error("StateDb.save() on a DB opened read-only");
    if (this.transactionDepth > 0) throw new Error("StateDb.save() called inside a transaction");
    const changes = this.changes();
    // The export is garbage once written: collected now, or it sits beside the next save's (a folder rename
    // of a million files peaked at its last save, two 160 MiB exports and the file in memory at once).
    if ((await this.writeExport()) >= LARGE_IMAGE) collectGarbage();
    const written = await stat(this.path).catch(() => undefined);
    this.onDisk = written && { identity: identityOf(written), changes };
  }

  /** Writes the DB's export to its file (in a frame of its own, so nothing keeps the export alive); its size. */
  private async writeExport(): Promise<number> {
    const image = this.db.export();
    await writeFileAtomic(this.path, image);
    return image.length;
  }

  /**
   * Lets go of the DB's in-memory file (about 140 MiB at a million rows) while it holds nothing the file on
   * disk does not: a run's plan is made with the rows already read and the bucket's listing, when memory
   * peaks. The next use reads the file again, and refuses a file another program changed meanwhile.
   * Returns whether it let go. A DB opened read-only is kept: its reader holds no lock, and a sync beside
   * it may save the file meanwhile.
   */
  release(): boolean {
    if (this.readOnly || !this.current || this.transactionDepth > 0) return false;
    if (this.onDisk?.changes !== this.changes()) return false;
    this.freeStatements();
    this.current.close();
    this.current = undefined;
    return true;
  }

  close(): void {
    this.freeStatements();
    this.current?.close();
    this.current = undefined;
  }

  // --- helpers ------------------------------------------------------------------------------------------

  /** Rows SQLite has changed since this DB was opened (each reopening starts again at 0). */
  private changes(): number {
    return Number(this.one("SELECT total_changes()"));
  }

  /** The released DB, from its file, which must be the one it was released from. */
  private readAgain(): Database {
    const identity = this.onDisk!.identity;
    let file;
    try {
      file = readImage(this.path, {
        identity,
        changed: () =>
          new SmartSyncError(
            "DB_UNREADABLE",
            `The state DB ${this.path} was changed by another program during this run.`,
            {
              hint:
                "Nothing of this run was recorded in it (moves made are in the journal, which the next run " +
                "finishes); check what wrote it, then run again.",
            },
          ),
      })!;
    } catch (error) {
      if (error instanceof SmartSyncError) throw error;
      const hint = "Connect the volume again and rerun; the state DB keeps what it knew before this run.";
      if ((error as NodeJS.ErrnoException).code === "ENOENT")
        throw volumeWentAway(path.dirname(this.path), "the run", hint, error);
      throw new SmartSyncError("DB_UNREADABLE", `Cannot read the state DB ${this.path} again.`, { hint, cause: error });
    }
    const { db, capacity } = openImage(this.SQL, file.image, file.size);
    configure(db);
    this.capacity = capacity;
    this.onDisk = { identity, changes: 0 };
    return db;
  }

  /** `write` for each item, committed every so many (`transaction` joins the caller's, when one is open). */
  private inTransactions<T>(items: Iterable<T>, write: (item: T) => void): void {
    const iterator = items[Symbol.iterator]();
    let more = true;
    while (more) {
      this.transaction(() => {
        for (let n = 0; n < ROWS_PER_TRANSACTION; n++) {
          const next = iterator.next();
          if (next.done) {
            more = false;
            return;
          }
          write(next.value);
        }
      });
    }
  }

  /** Makes room for `extraBytes` more data by reopening from a bigger image; see the note at the top. */
  private reserve(extraBytes: number): void {
    if (this.transactionDepth > 0) return;
    const pageSize = Number(this.one("PRAGMA page_size"));
    const livePages = Number(this.one("PRAGMA page_count")) - Number(this.one("PRAGMA freelist_count"));
    const needed = livePages * pageSize + extraBytes;
    if (needed <= this.capacity * GROW_IN_PLACE_UP_TO) return;
    const bytes = this.db.export();
    const capacity = Math.ceil(needed * 1.1) + 4 * MIB;
    const image = new Uint8Array(capacity);
    image.set(bytes);
    const { db, capacity: room } = openImage(this.SQL, image, bytes.length);
    configure(db);
    const clean = this.onDisk?.changes === this.changes();
    this.freeStatements();
    this.db.close();
    this.current = db;
    this.capacity = room;
    if (this.onDisk) this.onDisk = clean ? { ...this.onDisk, changes: 0 } : undefined;
  }

  private freeStatements(): void {
    for (const statement of this.statements.values()) statement.free();
    this.statements.clear();
  }

  private statement(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private one(sql: string, params: SqlValue[] = []): SqlValue | undefined {
    const statement = this.statement(sql);
    try {
      statement.bind(params);
      return statement.step() ? statement.get()[0] : undefined;
    } finally {
      statement.reset();
    }
  }

  private rows(sql: string): SqlValue[][] {
    const statement = this.statement(sql);
    const rows: SqlValue[][] = [];
    try {
      while (statement.step()) rows.push(statement.get());
    } finally {
      statement.reset();
    }
    return rows;
  }
}
