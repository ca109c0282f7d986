// Pairing files aws would upload with same-size objects (pure), and the prover that reads them once within a
// budget, against real files on disk and hashes cached between runs.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assignMoves, findCandidates, type PairingInput } from "../../src/engine/content-pairing";
import { Prover, type HashCache } from "../../src/engine/prover";
import type { S3ObjectInfo, ScannedFile } from "../../src/engine/types";

const T = 1_700_000_000_000;
const file = (p: string, size: number, inode = 1, mtimeMs = T): ScannedFile => ({
  path: p,
  inode,
  dev: 1,
  size,
  mtimeMs,
});
const object = (key: string, size: number, etag = "e", lastModifiedMs = T + 5000): S3ObjectInfo => ({
  key,
  size,
  etag,
  lastModifiedMs,
  storageClass: "STANDARD",
});
const candidates = (input: Partial<PairingInput> & Pick<PairingInput, "scan" | "objects">) =>
  findCandidates({ prefix: "", isExcluded: () => false, busyKeys: new Set(), minSize: 10, ...input });
const listing = (...objects: S3ObjectInfo[]) => new Map(objects.map((o) => [o.key, o]));

describe("findCandidates", () => {
  it("pairs files with no object at their key with same-size orphans, biggest first, same name first", () => {
    const c = candidates({
      scan: [file("new/a.mp3", 100), file("new/big.mov", 900), file("kept.txt", 100), file("tiny", 5)],
      objects: listing(
        object("old/b.mp3", 100),
        object("old/a.mp3", 100),
        object("kept.txt", 100),
        object("old/big.mov", 900),
        object("old/tiny", 5),
      ),
    });
    expect(c.moves.map((p) => [p.file.path, p.objects.map((o) => o.key)])).toEqual([
      ["new/big.mov", ["old/big.mov"]],
      ["new/a.mp3", ["old/a.mp3", "old/b.mp3"]],
    ]);
    // The object that stays (its file is there) is a source for a copy, never a move.
    expect(c.copies.map((p) => [p.file.path, p.objects.map((o) => o.key)])).toEqual([["new/a.mp3", ["kept.txt"]]]);
  });

  it("never pairs excluded, archived, busy, doubtful or the tool's own objects, nor directory markers", () => {
    const c = candidates({
      scan: [file("new", 100)],
      objects: listing(
        object("excluded/x", 100),
        { ...object("cold", 100), storageClass: "DEEP_ARCHIVE" },
        object("busy", 100),
        object("doubt", 100),
        object(".s3-smart-sync-tmp/run/1", 100),
        object("folder/", 100),
      ),
      isExcluded: (p) => p.startsWith("excluded/"),
      busyKeys: new Set(["busy"]),
      doubtfulKeys: new Set(["doubt"]),
    });
    expect(c.moves).toEqual([]);
    expect(c.copies).toEqual([]);
  });

  it("keys under a prefix map to paths; a file already moved to is not paired", () => {
    const c = candidates({
      scan: [file("a", 100), file("b", 100)],
      objects: listing(object("music/old-a", 100)),
      prefix: "music",
      busyKeys: new Set(["music/b"]),
    });
    expect(c.moves.map((p) => p.file.path)).toEqual(["a"]);
  });
});

describe("assignMoves", () => {
  it("each orphan moves to one file; each file takes the first object it proved equal to", () => {
    const a = file("a", 100);
    const b = file("b", 100);
    const pairs = [
      { file: a, objects: [object("x", 100), object("y", 100)] },
      { file: b, objects: [object("x", 100), object("y", 100)] },
    ];
    const proven = assignMoves(pairs, () => "md5");
    expect(proven.map((p) => [p.file.path, p.object.key])).toEqual([
      ["a", "x"],
      ["b", "y"],
    ]);
    expect(assignMoves(pairs, (f, o) => (o.key === "y" && f.path === "a" ? "md5" : undefined))).toEqual([
      { file: a, object: pairs[0].objects[1], proof: "md5" },
    ]);
  });
});

describe("Prover", () => {
  const root = mkdtempSync(path.join(tmpdir(), "s3ss-prover-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const md5 = (data: Buffer) => createHash("md5").update(data).digest("hex");

  function memoryCache(): HashCache & { rows: Map<string, string> } {
    const rows = new Map<string, string>();
    const id = (f: { inode: number; size: number; mtime: number }) => `${f.inode}/${f.size}/${f.mtime}`;
    return {
      rows,
      cachedHashes: (f) =>
        new Map([...rows].filter(([k]) => k.startsWith(`${id(f)}#`)).map(([k, v]) => [k.slice(id(f).length + 1), v])),
      cacheHash: (f, kind, value) => void rows.set(`${id(f)}#${kind}`, value),
    };
  }

  it("proves a file against the right object and not a decoy, reads it once, then answers from the cache", async () => {
    const data = Buffer.alloc(4096, 7);
    writeFileSync(path.join(root, "f"), data);
    const f = file("f", 4096, 42);
    const cache = memoryCache();
    const pair = {
      file: f,
      objects: [object("decoy", 4096, md5(Buffer.alloc(4096, 8))), object("real", 4096, md5(data))],
    };
    const prover = new Prover({ root, cache, budget: 1e9 });
    const first = await prover.prove(pair);
    expect([...first]).toEqual([
      ["decoy", undefined],
      ["real", "md5"],
    ]);
    expect(prover.result).toMatchObject({ bytes: 4096, files: 1, cachedFiles: 0 });
    const again = new Prover({ root, cache, budget: 1e9 });
    expect((await again.prove(pair)).get("real")).toBe("md5");
    expect(again.result).toMatchObject({ bytes: 0, files: 0, cachedFiles: 1 });
  });

  it("reads nothing beyond its budget: the file is left unproven", async () => {
    writeFileSync(path.join(root, "g"), Buffer.alloc(5000, 1));
    const prover = new Prover({ root, budget: 4999 });
    const result = await prover.prove({
      file: file("g", 5000, 43),
      objects: [object("o", 5000, md5(Buffer.alloc(5000, 1)))],
    });
    expect(result.get("o")).toBeUndefined();
    expect(prover.result).toMatchObject({ bytes: 0, files: 0, budgetLeft: 4999 });
  });

  it("asks for a CRC64NVME only when the ETag is not an MD5, and proves on it", async () => {
    const data = Buffer.alloc(6000, 3);
    writeFileSync(path.join(root, "h"), data);
    const asked: string[] = [];
    const { Crc64Nvme } = await import("@aws-sdk/checksums/crc");
    const crc = new Crc64Nvme();
    crc.update(data);
    const value = Buffer.from(await crc.digest()).toString("base64");
    const prover = new Prover({
      root,
      budget: 1e9,
      crc64: async (key) => {
        asked.push(key);
        return value;
      },
    });
    const result = await prover.prove({
      file: file("h", 6000, 44),
      objects: [object("kms", 6000, "not-an-md5-etag"), object("plain", 6000, md5(data))],
    });
    expect(asked).toEqual(["kms"]);
    expect([...result]).toEqual([
      ["kms", "crc64nvme"],
      ["plain", "md5"],
    ]);
  });
});
