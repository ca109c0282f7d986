// The move journal as a stream: a header, a line per move, a line per finished step. Round trips, torn and
// unreadable files, the old one-line format, and a batch of 2,000,000 moves written and read back in
// bounded memory (the old format could not be written past about 700,000 moves).
import { execa } from "execa";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { JOURNAL_FILE, MoveJournal, newRunId, type JournalHeader } from "../../src/engine/journal";
import { tempKeyFor } from "../../src/engine/move-batch";
import { SCHEDULER_VERSION, scheduleMoves, stepCount } from "../../src/engine/move-order";
import type { PlannedMove } from "../../src/engine/planner";
import { stepsOf } from "../support/schedule-steps";

const STRESS = fileURLToPath(new URL("../support/journal-stress.ts", import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop()!, { recursive: true, force: true });
});
function volume(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "journal-"));
  dirs.push(dir);
  return dir;
}

function move(from: string, to: string, prefix = ""): PlannedMove {
  const key = (p: string) => (prefix ? `${prefix}/${p}` : p);
  return {
    from,
    to,
    fromKey: key(from),
    toKey: key(to),
    inode: 42,
    size: 1234,
    mtime: 1_700_000_000.25,
    etag: "0123456789abcdef0123456789abcdef",
    storageClass: "STANDARD_IA",
    state: "ready",
  };
}

function header(runId: string, moves: readonly PlannedMove[], prefix = ""): JournalHeader {
  return {
    version: 2,
    runId,
    bucket: "bucket",
    prefix,
    endpoint: "http://127.0.0.1:1",
    profile: null,
    createdAt: new Date(0).toISOString(),
    moves: moves.length,
    steps: stepCount(scheduleMoves(moves, tempKeyFor(prefix, runId))),
    scheduler: SCHEDULER_VERSION,
  };
}

describe("MoveJournal", () => {
  it("writes a header line and one line per move, and reads the moves back with their keys", async () => {
    const root = volume();
    const moves = [move("a b.mp3", "c/d é.mp3", "music"), { ...move("x", "y", "music"), etag: undefined }];
    delete moves[1].storageClass;
    const runId = newRunId();
    await MoveJournal.create(root, header(runId, moves, "music"), moves);
    const lines = readFileSync(path.join(root, JOURNAL_FILE), "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0])).toMatchObject({ version: 2, runId, moves: 2, endpoint: "http://127.0.0.1:1" });
    const loaded = await MoveJournal.load(root);
    expect(loaded!.moves).toEqual(moves);
    expect(loaded!.schedule).toBeUndefined();
    expect(await MoveJournal.peekRunId(root)).toBe(runId);
  });

  it("keeps finished steps across a flush, and ignores a torn last line", async () => {
    const root = volume();
    const moves = [move("a", "b"), move("b", "c")];
    const journal = await MoveJournal.create(root, header(newRunId(), moves), moves);
    journal.record({ step: 1, ok: true, etag: "e1" });
    journal.record({ step: 0, ok: true, etag: "e0" });
    await journal.flush();
    appendFileSync(journal.file, '{"step":2,"o');
    const loaded = await MoveJournal.load(root);
    expect([...loaded!.done.keys()].sort()).toEqual([0, 1]);
    expect(loaded!.done.get(1)?.etag).toBe("e1");
  });

  it("keeps which sources and copies have the bucket's default encryption, and reads lines written without it", async () => {
    const root = volume();
    const moves = [{ ...move("a", "b"), defaultSse: true }, move("c", "d")];
    const journal = await MoveJournal.create(root, header(newRunId(), moves), moves);
    journal.record({ step: 0, ok: true, etag: "e0", defaultSse: true });
    journal.record({ step: 1, ok: true, etag: "e1" });
    await journal.flush();
    const lines = readFileSync(journal.file, "utf8").trimEnd().split("\n");
    expect(lines.slice(1, 3).map((l) => (JSON.parse(l) as unknown[]).length)).toEqual([8, 7]);
    const loaded = await MoveJournal.load(root);
    expect(loaded!.moves).toEqual(moves);
    expect([loaded!.done.get(0)?.defaultSse, loaded!.done.get(1)?.defaultSse]).toEqual([true, undefined]);
    // A journal an earlier version wrote: seven fields a move, no flag on its steps.
    const header2 = JSON.parse(lines[0]) as JournalHeader;
    writeFileSync(
      journal.file,
      [JSON.stringify(header2), JSON.stringify(["a", "b", 42, 1234, 1_700_000_000.25, "e", null]), lines[2]].join(
        "\n",
      ) +
        "\n" +
        '{"step":0,"ok":true,"etag":"e0"}\n',
    );
    const older = await MoveJournal.load(root);
    expect(older!.moves.map((m) => m.defaultSse)).toEqual([undefined, undefined]);
    expect(older!.done.get(0)).toEqual({ step: 0, ok: true, etag: "e0" });
  });

  it("moves aside a journal whose plan is cut short, and reads nothing from it", async () => {
    const root = volume();
    const moves = [move("a", "b"), move("c", "d")];
    const file = path.join(root, JOURNAL_FILE);
    writeFileSync(
      file,
      JSON.stringify(header(newRunId(), moves)) + "\n" + JSON.stringify(["a", "b", 1, 2, 3, null, null]),
    );
    expect(await MoveJournal.load(root, { readOnly: true })).toBeNull();
    expect(statSync(file).isFile()).toBe(true);
    expect(await MoveJournal.load(root)).toBeNull();
    expect(() => statSync(file)).toThrow();
  });

  it("still reads a journal of the one-line format, schedule included", async () => {
    const root = volume();
    const moves = [move("a", "b"), move("b", "a")];
    // Version 1 stored the steps themselves.
    const schedule = stepsOf(scheduleMoves(moves, (n) => `.s3-smart-sync-tmp/old/${n}`));
    const old = { version: 1, runId: "old", bucket: "bucket", prefix: "", createdAt: "", moves, schedule };
    writeFileSync(path.join(root, JOURNAL_FILE), JSON.stringify(old) + "\n" + '{"step":2,"ok":true,"etag":"t"}\n');
    const loaded = await MoveJournal.load(root);
    expect(loaded!.moves).toEqual(moves);
    const stored = loaded!.schedule!;
    expect(stepsOf(stored)).toEqual(JSON.parse(JSON.stringify(schedule)));
    expect(stored.moveIndexOf(2)).toBeNull(); // the copy that opens the swap
    expect(loaded!.journal.header).toMatchObject({ runId: "old", bucket: "bucket", moves: 2 });
    expect([...loaded!.done.keys()]).toEqual([2]);
  });

  it("journals and resumes 2,000,000 moves within a 1.5 GiB heap", async () => {
    // A child with a heap limit: the moves themselves take about 800 MiB; a journal that kept lines, or a
    // header, in proportion to the batch would not fit (and the old format could not build its header).
    const child = await execa(
      process.execPath,
      ["--max-old-space-size=1536", "--import", "tsx", STRESS, String(2_000_000)],
      { reject: false, timeout: 900_000 },
    );
    expect(child.exitCode, child.stderr).toBe(0);
    const figures = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as Record<string, number>;
    console.log(`journal of 2,000,000 moves: ${JSON.stringify(figures)}`);
    expect(figures.moves).toBe(2_000_000);
    expect(figures.peakHeapMiB).toBeLessThanOrEqual(1536);
  }, 900_000);
});
