// The move journal: `<volume>/.s3-smart-sync.journal`, written before the first S3 request of a move
// batch, so that a run killed at any instant is finished by the next one.
//
// Why a sidecar file and not rows in the DB: the DB is saved whole (sql.js exports the full file, 13 MB at
// 100k rows), far too slow to persist after every copy. The journal is one JSON header (the plan) written
// atomically, then one appended line per finished step, fsynced at each barrier of the mover (between
// waves and before deletes). A torn last line is ignored: that step simply runs again, which is safe
// because the mover never overwrites or deletes a key before the copies reading it are journaled.
import { randomUUID } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import type { MoveSchedule } from "./move-order";
import type { PlannedMove } from "./planner";

export const JOURNAL_FILE = ".s3-smart-sync.journal";

export interface JournalHeader {
  version: 1;
  runId: string;
  bucket: string;
  prefix: string;
  createdAt: string;
  moves: PlannedMove[];
  schedule: MoveSchedule;
}

export interface StepOutcome {
  step: number;
  ok: boolean;
  /** ETag of the object a copy wrote. */
  etag?: string;
  error?: string;
}

export interface LoadedJournal {
  header: JournalHeader;
  /** Steps known to have succeeded. */
  done: Map<number, StepOutcome>;
}

export function newRunId(): string {
  return `${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "")}-${randomUUID().slice(0, 8)}`;
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

export class MoveJournal {
  private pending: string[] = [];

  private constructor(
    readonly file: string,
    readonly header: JournalHeader,
  ) {}

  static pathFor(volumeRoot: string): string {
    return path.join(volumeRoot, JOURNAL_FILE);
  }

  /** Writes the plan atomically; only then may the first S3 request go out. */
  static async create(volumeRoot: string, header: JournalHeader): Promise<MoveJournal> {
    const file = MoveJournal.pathFor(volumeRoot);
    const temp = `${file}.tmp-${process.pid}`;
    const handle = await fs.open(temp, "w");
    try {
      await handle.writeFile(JSON.stringify(header) + "\n");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
    await fsyncDir(volumeRoot);
    return new MoveJournal(file, header);
  }

  /** The unfinished journal of an earlier run, or null. An unreadable header is moved aside. */
  static async load(
    volumeRoot: string,
    options: { readOnly?: boolean } = {},
  ): Promise<{ journal: MoveJournal; done: Map<number, StepOutcome> } | null> {
    const file = MoveJournal.pathFor(volumeRoot);
    let text: string;
    try {
      text = await fs.readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
    const lines = text.split("\n");
    let header: JournalHeader;
    try {
      header = JSON.parse(lines[0]) as JournalHeader;
      if (header.version !== 1 || !header.schedule) throw new Error("unknown journal version");
    } catch {
      if (!options.readOnly) await fs.rename(file, `${file}.unreadable-${Date.now()}`);
      return null;
    }
    const done = new Map<number, StepOutcome>();
    for (const line of lines.slice(1)) {
      if (!line) continue;
      try {
        const outcome = JSON.parse(line) as StepOutcome;
        if (outcome.ok) done.set(outcome.step, outcome);
      } catch {
        // A torn last line: that step runs again.
      }
    }
    return { journal: new MoveJournal(file, header), done };
  }

  record(outcome: StepOutcome): void {
    this.pending.push(JSON.stringify(outcome) + "\n");
  }

  /** Appends what was recorded and fsyncs it: a barrier before anything that depends on those steps. */
  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const data = this.pending.join("");
    this.pending = [];
    const handle = await fs.open(this.file, "a");
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async remove(): Promise<void> {
    await fs.rm(this.file, { force: true });
  }
}
