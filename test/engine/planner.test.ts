import { describe, expect, it } from "vitest";
import { planRun, planUnlessMoves, type PlanInput } from "../../src/engine/planner";
import type { FileRecord, S3ObjectInfo, ScannedFile } from "../../src/engine/types";

const T = 1_700_000_000; // seconds

function file(path: string, inode: number, size = 100, mtime = T): ScannedFile {
  return { path, inode, dev: 1, size, mtimeMs: mtime * 1000 };
}
function row(path: string, inode: number, size = 100, mtime = T, etag?: string): FileRecord {
  return { path, inode, size, mtime, synced: T + 10, etag };
}
function object(key: string, size = 100, lastModified = T + 5, etag = "e", storageClass = "STANDARD"): S3ObjectInfo {
  return { key, size, lastModifiedMs: lastModified * 1000, etag, storageClass };
}
function plan(input: Partial<PlanInput> & Pick<PlanInput, "scan" | "records">) {
  return planRun({ prefix: "", isExcluded: () => false, ...input });
}
const listing = (...objects: S3ObjectInfo[]) => new Map(objects.map((o) => [o.key, o]));

describe("planRun", () => {
  it("turns a rename with unchanged inode, size and mtime into a verified move", () => {
    const p = plan({
      scan: [file("b.mp3", 7)],
      records: [row("a.mp3", 7)],
      prefix: "music",
      objects: listing(object("music/a.mp3", 100, T + 5, "abc")),
    });
    expect(p.moves).toEqual([
      expect.objectContaining({
        from: "a.mp3",
        to: "b.mp3",
        fromKey: "music/a.mp3",
        toKey: "music/b.mp3",
        etag: "abc",
        state: "ready",
      }),
    ]);
    expect(p.bytesSaved).toBe(100);
    expect(p.newFiles).toEqual([]);
    expect(p.deleted).toEqual([]);
  });

  it("knows a source has the bucket's default encryption only while it is the object the DB saw written", () => {
    const flagged = (path: string, inode: number, etag: string): FileRecord => ({
      ...row(path, inode, 100, T, etag),
      defaultSse: true,
    });
    const p = plan({
      scan: [file("a2", 1), file("b2", 2), file("c2", 3)],
      records: [flagged("a", 1, "ea"), flagged("b", 2, "eb"), row("c", 3, 100, T, "ec")],
      // b's object was replaced since (another ETag): it may carry other encryption settings.
      objects: listing(object("a", 100, T + 5, "ea"), object("b", 100, T + 5, "eb-new"), object("c", 100, T + 5, "ec")),
    });
    expect(p.moves.map((m) => [m.from, m.defaultSse === true])).toEqual([
      ["a", true],
      ["c", false],
    ]);
    // A replaced object is not moved at all: the recorded ETag is part of the check.
    expect(p.rejected.map((r) => r.from)).toEqual(["b"]);
  });

  it("pairs files with their rows by path where JavaScript and SQLite order names differently", () => {
    // The scanner sorts by UTF-16 units (the emoji's surrogates before U+FF01); the DB by UTF-8 bytes.
    const byBytes = ["a/b.mp3", "a/\uE000.mp3", "a/！.mp3", "a/𝄞 clef.mp3", "a/😀.mp3", "a/🦄.mp3"];
    const scan = byBytes.slice(0, 5).map((name, i) => file(name, i + 1));
    scan.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    scan.push(file("a/😀 live.mp3", 5)); // the emoji file, renamed
    scan.splice(
      scan.findIndex((f) => f.path === "a/😀.mp3"),
      1,
    );
    const p = plan({ scan, records: byBytes.map((name, i) => row(name, i + 1)) });
    expect(p.unchangedCount).toBe(4);
    expect(p.moves.map((m) => [m.from, m.to])).toEqual([["a/😀.mp3", "a/😀 live.mp3"]]);
    expect(p.newFiles).toEqual([]);
    expect(p.modified).toEqual([]);
    expect(p.deleted.map((r) => r.path)).toEqual(["a/🦄.mp3"]);
  });

  it("plans moves unverified when no listing is given (status)", () => {
    const p = plan({ scan: [file("b", 7)], records: [row("a", 7)] });
    expect(p.moves.map((m) => m.state)).toEqual(["unverified"]);
  });

  it("classifies new, modified, deleted and unchanged files", () => {
    const p = plan({
      scan: [file("same", 1), file("edited", 2, 200), file("touched", 3, 100, T + 60), file("fresh", 9)],
      records: [row("same", 1), row("edited", 2), row("touched", 3), row("gone", 4)],
    });
    expect(p.unchangedCount).toBe(1);
    expect(p.modified.map((f) => f.path).sort()).toEqual(["edited", "touched"]);
    expect(p.newFiles.map((f) => f.path)).toEqual(["fresh"]);
    expect(p.deleted.map((r) => r.path)).toEqual(["gone"]);
    expect(p.moves).toEqual([]);
  });

  it("does not move a renamed and edited file (size or mtime changed)", () => {
    const p = plan({
      scan: [file("b", 7, 101), file("d", 8, 100, T + 1)],
      records: [row("a", 7), row("c", 8)],
      objects: listing(object("a"), object("c")),
    });
    expect(p.moves).toEqual([]);
    expect(p.rejected.map((r) => [r.from, r.reason])).toEqual([
      ["a", "changed-since-recorded"],
      ["c", "changed-since-recorded"],
    ]);
    expect(p.newFiles.map((f) => f.path)).toEqual(["b", "d"]);
    expect(p.deleted.map((r) => r.path)).toEqual(["a", "c"]);
  });

  it("treats a same-size renamed and edited file (mtime changed) as upload + delete", () => {
    const p = plan({ scan: [file("b", 7, 100, T + 30)], records: [row("a", 7)], objects: listing(object("a")) });
    expect(p.moves).toEqual([]);
    expect(p.newFiles.map((f) => f.path)).toEqual(["b"]);
    expect(p.deleted.map((r) => r.path)).toEqual(["a"]);
  });

  it("never moves hard links, before or after", () => {
    const now = plan({ scan: [file("x", 5), file("y", 5)], records: [row("a", 5)], objects: listing(object("a")) });
    expect(now.moves).toEqual([]);
    expect(now.rejected.every((r) => r.reason === "hard-link")).toBe(true);
    const before = plan({
      scan: [file("x", 5)],
      records: [row("a", 5), row("b", 5)],
      objects: listing(object("a"), object("b")),
    });
    expect(before.moves).toEqual([]);
    expect(before.rejected.map((r) => r.reason)).toEqual(["hard-link"]);
  });

  it("finds each file's row by inode among many, whatever the numbers' order and size, links and empty files aside", () => {
    // Inodes in no relation to path order, up to 2^52 (APFS), a pair shared by two rows and one by two
    // files now, and empty files whose numbers are never matched.
    const n = 600;
    const inode = (i: number) => ((i * 7_919) % n) * 2 ** 40 + ((i * 104_729) % 1_000_003) + 1;
    const records = Array.from({ length: n }, (_, i) =>
      row(`old/${String(i).padStart(3, "0")}`, inode(i), i % 50 === 0 ? 0 : 100),
    );
    records.push(row("old/linked-a", 2 ** 52), row("old/linked-b", 2 ** 52));
    const scan = Array.from({ length: n }, (_, i) =>
      file(`new/${String(n - i).padStart(3, "0")}`, inode(i), i % 50 === 0 ? 0 : 100),
    );
    scan.push(file("new/linked-now-1", inode(7)), file("new/linked-now-2", inode(7)), file("new/was-linked", 2 ** 52));
    const p = plan({ scan, records, objects: listing(...records.map((r) => object(r.path, r.size))) });
    const expected = scan
      .map((f, i) => [i, f] as const)
      .filter(([i, f]) => i < n && i % 50 !== 0 && f.inode !== inode(7))
      .map(([i, f]) => [`old/${String(i).padStart(3, "0")}`, f.path]);
    expect(p.moves.map((m) => [m.from, m.to]).sort()).toEqual(expected.sort());
    expect(p.rejected.map((r) => [r.from, r.to, r.reason]).sort()).toEqual(
      [
        ["old/007", "new/593", "hard-link"],
        ["old/007", "new/linked-now-1", "hard-link"],
        ["old/007", "new/linked-now-2", "hard-link"],
        ["old/linked-a", "new/was-linked", "hard-link"],
      ].sort(),
    );
    // aws uploads the empty files and the links.
    const uploaded = ["new/593", "new/linked-now-1", "new/linked-now-2", "new/was-linked"];
    const empty = scan.filter((f, i) => i < n && i % 50 === 0).map((f) => f.path);
    expect(p.newFiles.map((f) => f.path).sort()).toEqual([...empty, ...uploaded].sort());
  });

  it("never moves from an excluded path, and excluded rows are not deletions", () => {
    const p = plan({
      scan: [file("b", 7)],
      records: [row(".hidden", 7), row(".other", 8)],
      isExcluded: (path) => path.startsWith("."),
      objects: listing(object(".hidden"), object(".other")),
    });
    expect(p.moves).toEqual([]);
    expect(p.rejected.map((r) => r.reason)).toEqual(["excluded"]);
    expect(p.deleted).toEqual([]);
  });

  it("respects moves the user skipped", () => {
    const p = plan({
      scan: [file("b", 7)],
      records: [row("a", 7)],
      skippedMoves: [{ from: "a", to: "b" }],
      objects: listing(object("a")),
    });
    expect(p.moves).toEqual([]);
    expect(p.rejected.map((r) => r.reason)).toEqual(["skipped-by-user"]);
    expect(p.newFiles.map((f) => f.path)).toEqual(["b"]);
  });

  it("rejects moves whose source is missing or different in S3", () => {
    const records = [row("a", 1), row("c", 2), row("e", 3), row("g", 4, 100, T, "recorded")];
    const scan = [file("b", 1), file("d", 2), file("f", 3), file("h", 4)];
    const p = plan({
      scan,
      records,
      objects: listing(object("c", 99), object("e", 100, T - 2), object("g", 100, T + 5, "other")),
    });
    expect(p.moves).toEqual([]);
    expect(Object.fromEntries(p.rejected.map((r) => [r.from, r.reason]))).toEqual({
      a: "source-missing",
      c: "source-size-differs",
      e: "source-older-than-file",
      g: "source-etag-differs",
    });
  });

  it("compares LastModified in whole seconds like aws", () => {
    const p = plan({
      scan: [file("b", 1, 100, T + 0.7)],
      records: [row("a", 1, 100, T + 0.7)],
      objects: listing(object("a", 100, T + 0.2)),
    });
    expect(p.moves.map((m) => m.from)).toEqual(["a"]);
  });

  it("moves a whole renamed folder, one move per file", () => {
    const names = ["01 Intro.flac", "02 Sång.flac", "sub/03 Outro.flac"];
    const p = plan({
      scan: names.map((n, i) => file(`Albums/New Name/${n}`, 10 + i)),
      records: names.map((n, i) => row(`Albums/Old Name/${n}`, 10 + i)),
      prefix: "lib/",
      objects: listing(...names.map((n) => object(`lib/Albums/Old Name/${n}`))),
    });
    expect(p.moves.map((m) => [m.fromKey, m.toKey])).toEqual(
      names.map((n) => [`lib/Albums/Old Name/${n}`, `lib/Albums/New Name/${n}`]),
    );
  });

  it("treats a case-only rename as a move (S3 keys are case-sensitive)", () => {
    const p = plan({
      scan: [file("song.mp3", 3)],
      records: [row("Song.mp3", 3)],
      objects: listing(object("Song.mp3")),
    });
    expect(p.moves.map((m) => [m.fromKey, m.toKey])).toEqual([["Song.mp3", "song.mp3"]]);
  });

  it("keeps NFC and NFD names apart (no normalisation)", () => {
    const nfd = "Cafe\u0301.mp3";
    const nfc = "Caf\u00e9.mp3";
    const p = plan({ scan: [file(nfc, 3)], records: [row(nfd, 3)], objects: listing(object(nfd)) });
    expect(p.moves.map((m) => [m.fromKey, m.toKey])).toEqual([[nfd, nfc]]);
  });

  it("plans swaps and chains as moves", () => {
    const p = plan({
      scan: [file("a", 2), file("b", 1), file("y", 3), file("z", 4)],
      records: [row("a", 1), row("b", 2), row("x", 3), row("y", 4)],
      objects: listing(object("a"), object("b"), object("x"), object("y")),
    });
    expect(p.moves.map((m) => `${m.from}>${m.to}`).sort()).toEqual(["a>b", "b>a", "x>y", "y>z"]);
    expect(p.modified).toEqual([]);
    expect(p.deleted).toEqual([]);
    expect(p.newFiles).toEqual([]);
  });

  it("moves the old key even when a new file now sits at the old path", () => {
    const p = plan({ scan: [file("a", 99, 5), file("b", 1)], records: [row("a", 1)], objects: listing(object("a")) });
    expect(p.moves.map((m) => `${m.from}>${m.to}`)).toEqual(["a>b"]);
    expect(p.modified.map((f) => f.path)).toEqual(["a"]);
  });

  it("holds archived sources as pending, or leaves them to aws when the target says upload", () => {
    const input = {
      scan: [file("b", 1)],
      records: [row("a", 1)],
      objects: listing(object("a", 100, T + 5, "e", "GLACIER")),
    };
    const wait = plan(input);
    expect(wait.moves).toEqual([]);
    expect(wait.archived.map((m) => [m.from, m.storageClass, m.state])).toEqual([["a", "GLACIER", "archived"]]);
    expect(wait.newFiles).toEqual([]);
    expect(wait.deleted).toEqual([]);
    const upload = plan({ ...input, archivedMoves: "upload" });
    expect(upload.archived).toEqual([]);
    expect(upload.newFiles.map((f) => f.path)).toEqual(["b"]);
    expect(upload.deleted.map((r) => r.path)).toEqual(["a"]);
  });

  it("treats a restored archived object as movable", () => {
    const restored = { ...object("a", 100, T + 5, "e", "GLACIER"), restore: { ongoing: false, expiry: "x" } };
    const p = plan({ scan: [file("b", 1)], records: [row("a", 1)], objects: listing(restored) });
    expect(p.moves.map((m) => m.state)).toEqual(["ready"]);
  });

  it("is a first run when the DB is empty: everything is new", () => {
    const p = plan({ scan: [file("a", 1), file("b", 2)], records: [] });
    expect(p.newFiles.length).toBe(2);
    expect(p.moves).toEqual([]);
  });
});

describe("moves onto the old key of an archived object", () => {
  it("wait with it, along the whole chain, so the archived object is never overwritten", () => {
    // archived: a → z (a is in Glacier); b → a would overwrite it; c → b would overwrite b, which b → a needs.
    const p = planRun({
      scan: [file("z", 1), file("a", 2), file("b", 3), file("other", 4)],
      records: [row("a", 1), row("b", 2), row("c", 3), row("o", 4)],
      prefix: "",
      isExcluded: () => false,
      objects: listing(object("a", 100, T + 5, "e", "GLACIER"), object("b"), object("c"), object("o")),
    });
    expect(p.archived.map((m) => `${m.from}>${m.to}`).sort()).toEqual(["a>z", "b>a", "c>b"]);
    expect(p.moves.map((m) => `${m.from}>${m.to}`)).toEqual(["o>other"]);
    expect(p.bytesSaved).toBe(100);
    expect(p.modified).toEqual([]);
    expect(p.newFiles).toEqual([]);
  });
});

describe("groups are not run by halves", () => {
  it("holds the other half of a swap whose first half the user skipped; both files are unsure", () => {
    const p = plan({
      scan: [file("x", 2, 100, T - 50), file("y", 1, 100, T - 60)],
      records: [row("x", 1, 100, T - 60), row("y", 2, 100, T - 50)],
      objects: listing(object("x"), object("y")),
      skippedMoves: [{ from: "x", to: "y" }],
    });
    expect(p.moves).toEqual([]);
    expect(p.rejected.map((r) => [r.from, r.to, r.reason]).sort()).toEqual([
      ["x", "y", "skipped-by-user"],
      ["y", "x", "held-with-group"],
    ]);
    expect(p.bytesSaved).toBe(0);
    expect(p.unsure.map((f) => f.path).sort()).toEqual(["x", "y"]);
  });

  it("holds everything up the chain from a skipped move, and runs what comes after it", () => {
    // a → b → c → d (a's file now at b, …); the user skipped b → c.
    const p = plan({
      scan: [file("b", 1), file("c", 2), file("d", 3)],
      records: [row("a", 1), row("b", 2), row("c", 3)],
      objects: listing(object("a"), object("b"), object("c")),
      skippedMoves: [{ from: "b", to: "c" }],
    });
    expect(p.moves.map((m) => `${m.from}>${m.to}`)).toEqual(["c>d"]);
    expect(p.rejected.map((r) => `${r.from}>${r.to}:${r.reason}`).sort()).toEqual([
      "a>b:held-with-group",
      "b>c:skipped-by-user",
    ]);
  });

  it("runs the rest of a chain whose link was edited: the old bytes it would overwrite are stale anyway", () => {
    const p = plan({
      scan: [file("b", 1), file("c", 2, 100, T + 30)],
      records: [row("a", 1), row("b", 2)],
      objects: listing(object("a"), object("b")),
    });
    expect(p.moves.map((m) => `${m.from}>${m.to}`)).toEqual(["a>b"]);
    expect(p.rejected.map((r) => r.reason)).toEqual(["changed-since-recorded"]);
  });
});

describe("files whose key aws might wrongly keep (plan.unsure)", () => {
  it("are the ends of rename candidates and same-size files dated before the last sync, nothing else", () => {
    const p = plan({
      scan: [
        file("moved-to", 1),
        file("replaced", 2, 100, T - 100), // another file of the same size, older: aws would keep the object
        file("edited", 3, 100, T + 3600), // edited after the sync: aws sees it is newer
        file("resized", 4, 150, T - 100),
        file("same", 5),
        file("linked", 6),
        file("link2", 6),
      ],
      records: [
        row("moved-from", 1),
        row("replaced", 2),
        row("edited", 3),
        row("resized", 4),
        row("same", 5),
        row("linked", 6),
      ],
    });
    expect(p.unsure.map((f) => f.path).sort()).toEqual(["link2", "moved-to", "replaced"]);
  });
});

describe("planUnlessMoves", () => {
  const input = (scan: ScannedFile[], records: FileRecord[]): PlanInput => ({
    scan,
    records,
    prefix: "",
    isExcluded: () => false,
  });

  it("stops at a move: the run plans its moves once, with the listing", () => {
    expect(planUnlessMoves(input([file("new.mp3", 9), file("b.mp3", 7)], [row("a.mp3", 7)]))).toBeUndefined();
  });

  it("is the plan itself when there is no move, a rejected candidate included", () => {
    // b.mp3 has a.mp3's inode but another size: a rejected candidate, not a move.
    const nothingToMove = input(
      [file("b.mp3", 7, 50), file("kept.mp3", 3), file("new.mp3", 9)],
      [row("a.mp3", 7), row("kept.mp3", 3), row("gone.mp3", 4)],
    );
    const p = planUnlessMoves(nothingToMove);
    expect(p).toEqual(planRun(nothingToMove));
    expect(p!.rejected.map((r) => [r.from, r.to, r.reason])).toEqual([["a.mp3", "b.mp3", "changed-since-recorded"]]);
    expect(p!.newFiles.map((f) => f.path)).toEqual(["b.mp3", "new.mp3"]);
    expect(p!.deleted.map((r) => r.path)).toEqual(["a.mp3", "gone.mp3"]);
    expect(p!.unchangedCount).toBe(1);
  });
});
