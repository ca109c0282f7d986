// The move journal: `<volume>/.s3-smart-sync.journal`, written before the first S3 request of a move
// batch, so that a run killed at any instant is finished by the next one.
//
// Why a sidecar file and not rows in the DB: the DB is saved whole (sql.js exports the full file, 13 MB at
// 100k rows), far too slow to persist after every copy.
//
// Format (version 2), one JSON value per line, written as a stream so that no line grows with the batch
// (version 1 held every move and the whole schedule in its first line, which V8 cannot build past about
// 700,000 moves):
//   {"version":2,"runId":…,"bucket":…,"prefix":…,"endpoint":…,"profile":…,"moves":N,"steps":S,…}
//   ["from","to",inode,size,mtime,"etag","storageClass",true]   × N, the planned moves in order
//   {"step":12,"ok":true,"etag":"…","defaultSse":true}           one per finished step, appended
// `true` / `defaultSse`, present only when true: the source, or the object the copy wrote, has the bucket's
// default encryption, so a resumed copy needs no HEAD of its source, and the DB keeps knowing it (a reader
// that predates them ignores both and HEADs, as it did).
// The plan part (header and moves) goes to a temporary file, fsynced, then renamed into place: it is whole
// or absent. The schedule is not stored: it is a pure function of the moves and the run id, recomputed on
// resume, and `steps` (its size) and `scheduler` (its algorithm) guard that it comes out the same. Step lines
// are appended and fsynced at each barrier of the mover (between waves and before deletes). A torn last
// line is ignored: that step simply runs again, which is safe because the mover never overwrites or
// deletes a key before the copies reading it are journaled.
import { randomUUID } from "node:crypto";
import { createReadStream, promises as fs } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { volumeWentAway } from "./errors";
import { keyFor } from "./keys";
import { storedSchedule, type CopyStep, type DeleteStep, type MoveSchedule } from "./move-order";
import type { PlannedMove } from "./planner";

export const JOURNAL_FILE = ".s3-smart-sync.journal";
export const JOURNAL_VERSION = 2;

export interface JournalHeader {
  version: 2;
  runId: string;
  bucket: string;
  prefix: string;
  /** Where the bucket is: the endpoint URL (null for AWS) and the profile (null for the default chain). */
  endpoint: string | null;
  profile: string | null;
  createdAt: string;
  /** Number of move lines that follow the header. */
  moves: number;
  /** Steps of the schedule, and the version of the algorithm that made it. */
  steps: number;
  scheduler: number;
}

export interface StepOutcome {
  step: number;
  ok: boolean;
  /** ETag of the object a copy wrote. */
  etag?: string;
  /** The copy set no encryption: the object it wrote has the bucket's default encryption. */
  defaultSse?: boolean;
  error?: string;
}

export interface LoadedJournal {
  journal: MoveJournal;
  moves: PlannedMove[];
  /**
   * Only in a version-1 journal, which stored it (and did not record endpoint and profile); version 2
   * recomputes it from the moves.
   */
  schedule?: MoveSchedule;
  /** Steps known to have succeeded. */
  done: Map<number, StepOutcome>;
}

type MoveLine = [string, string, number, number, number, string | null, string | null, true?];

/** Version 1: the whole plan in the first line. Still read, so that an upgrade finishes its batch. */
interface HeaderV1 {
  version: 1;
  runId: string;
  bucket: string;
  prefix: string;
  createdAt: string;
  moves: PlannedMove[];
  schedule: { waves: CopyStep[][]; deletes: DeleteStep[] };
}

export function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "")}-${randomUUID().slice(0, 8)}`;
}

function moveLine(move: PlannedMove): string {
  const line: MoveLine = [
    move.from,
    move.to,
    move.inode,
    move.size,
    move.mtime,
    move.etag ?? null,
    move.storageClass ?? null,
  ];
  if (move.defaultSse === true) line.push(true);
  return JSON.stringify(line);
}

function parseMoveLine(text: string, prefix: string): PlannedMove {
  const [from, to, inode, size, mtime, etag, storageClass, defaultSse] = JSON.parse(text) as MoveLine;
  if (typeof from !== "string" || typeof to !== "string" || typeof size !== "number")
    throw new Error("not a move line");
  const move: PlannedMove = {
    from,
    to,
    fromKey: keyFor(prefix, from),
    toKey: keyFor(prefix, to),
    inode,
    size,
    mtime,
    state: "ready",
  };
  if (etag !== null) move.etag = etag;
  if (storageClass !== null) move.storageClass = storageClass;
  if (defaultSse === true) move.defaultSse = true;
  return move;
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, "r");
  try {
    await handle.sync();
  } catch {
    // Some file systems (and macOS for directories) refuse fsync on a directory; the rename still stands.
  } finally {
    await handle.close();
  }
}

/** Lines are gathered into chunks of about this size before each write: memory stays flat. */
const WRITE_CHUNK = 1 << 16;
/** Step lines kept in memory before they are written out. */
const RECORD_BATCH = 10_000;

export class MoveJournal {
  private pending: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private unsynced = false;

  private constructor(
    readonly file: string,
    /** Version 2 header; a version-1 journal being finished gets one converted from its own. */
    readonly header: JournalHeader,
  ) {}

  static pathFor(volumeRoot: string): string {
    return path.join(volumeRoot, JOURNAL_FILE);
  }

  /** Writes the plan (header, then one line per move) atomically; only then may the first S3 request go out. */
  static async create(volumeRoot: string, header: JournalHeader, moves: readonly PlannedMove[]): Promise<MoveJournal> {
    if (header.moves !== moves.length) throw new Error("journal header counts another number of moves");
    const file = MoveJournal.pathFor(volumeRoot);
    const temp = `${file}.tmp-${process.pid}`;
    let handle;
    try {
      handle = await fs.open(temp, "w");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      throw volumeWentAway(volumeRoot, "the run", "Connect the volume again and rerun; no move was made.", error);
    }
    try {
      let chunk = JSON.stringify(header) + "\n";
      for (const move of moves) {
        chunk += moveLine(move) + "\n";
        if (chunk.length >= WRITE_CHUNK) {
          await handle.write(chunk);
          chunk = "";
        }
      }
      await handle.write(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
    await fsyncDir(volumeRoot);
    return new MoveJournal(file, header);
  }

  /** The unfinished journal of an earlier run, or null. An unreadable plan is moved aside. */
  static async load(volumeRoot: string, options: { readOnly?: boolean } = {}): Promise<LoadedJournal | null> {
    const file = MoveJournal.pathFor(volumeRoot);
    let stream;
    try {
      await fs.access(file);
      stream = createReadStream(file, { encoding: "utf8" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    let header: JournalHeader | undefined;
    let schedule: MoveSchedule | undefined;
    const moves: PlannedMove[] = [];
    const done = new Map<number, StepOutcome>();
    let broken = false;
    try {
      for await (const line of lines) {
        if (!header) {
          ({ header, schedule } = readHeader(line, moves));
          continue;
        }
        if (moves.length < header.moves) {
          moves.push(parseMoveLine(line, header.prefix));
          continue;
        }
        if (!line) continue;
        try {
          const outcome = JSON.parse(line) as StepOutcome;
          if (outcome.ok && typeof outcome.step === "number") done.set(outcome.step, outcome);
        } catch {
          // A torn last line: that step runs again.
        }
      }
      if (!header || moves.length < header.moves) broken = true;
    } catch {
      broken = true;
    } finally {
      lines.close();
      stream.destroy();
    }
    if (broken || !header) {
      if (!options.readOnly) await fs.rename(file, `${file}.unreadable-${Date.now()}`);
      return null;
    }
    return { journal: new MoveJournal(file, header), moves, schedule, done };
  }

  /** The run id of the journal on the volume, from its first line only; null when there is none. */
  static async peekRunId(volumeRoot: string): Promise<string | null> {
    let stream;
    try {
      await fs.access(MoveJournal.pathFor(volumeRoot));
      stream = createReadStream(MoveJournal.pathFor(volumeRoot), { encoding: "utf8" });
    } catch {
      return null;
    }
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        const runId = (JSON.parse(line) as { runId?: unknown }).runId;
        return typeof runId === "string" ? runId : null;
      }
      return null;
    } catch {
      return null;
    } finally {
      lines.close();
      stream.destroy();
    }
  }

  /**
   * Notes a finished step. Lines are written out in the background every few thousand (a wave of two
   * million copies must not pile up in memory); only `flush` makes them durable. Writing a line early is
   * always safe: a step not yet written is one the next run does again.
   */
  record(outcome: StepOutcome): void {
    this.pending.push(JSON.stringify(outcome) + "\n");
    if (this.pending.length >= RECORD_BATCH) this.writeOut();
  }

  /** Appends what was recorded and fsyncs it: a barrier before anything that depends on those steps. */
  async flush(): Promise<void> {
    if (this.pending.length > 0) this.writeOut();
    const writing = this.writing;
    this.writing = Promise.resolve();
    await writing;
    if (this.unsynced) {
      this.unsynced = false;
      const handle = await fs.open(this.file, "a");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }

  /** Queues the recorded lines for appending, after any write already queued. */
  private writeOut(): void {
    const data = this.pending.join("");
    this.pending = [];
    this.unsynced = true;
    this.writing = this.writing.then(async () => {
      const handle = await fs.open(this.file, "a");
      try {
        await handle.write(data);
      } finally {
        await handle.close();
      }
    });
    // A failed write surfaces at the next flush, which awaits this chain.
    this.writing.catch(() => undefined);
  }

  async remove(): Promise<void> {
    await fs.rm(this.file, { force: true });
  }
}

/** Reads the first line: a version-2 header, or a version-1 one whose moves and schedule it carries. */
function readHeader(line: string, moves: PlannedMove[]): { header: JournalHeader; schedule?: MoveSchedule } {
  const parsed = JSON.parse(line) as JournalHeader | HeaderV1;
  if (parsed.version === 1 && Array.isArray(parsed.moves) && parsed.schedule) {
    moves.push(...parsed.moves);
    const steps = parsed.schedule.waves.reduce((n, w) => n + w.length, 0) + parsed.schedule.deletes.length;
    const header: JournalHeader = {
      version: 2,
      runId: parsed.runId,
      bucket: parsed.bucket,
      prefix: parsed.prefix,
      endpoint: null,
      profile: null,
      createdAt: parsed.createdAt,
      moves: parsed.moves.length,
      steps,
      scheduler: 0,
    };
    return { header, schedule: storedSchedule(parsed.schedule) };
  }
  if (parsed.version !== JOURNAL_VERSION || typeof parsed.moves !== "number") throw new Error("unknown journal");
  return { header: parsed };
}
