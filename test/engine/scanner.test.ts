import { execFileSync } from "node:child_process";
import { buildSync } from "esbuild";
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path, { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanVolume } from "../../src/engine/scanner";
import type { ScanResult } from "../../src/engine/types";

const NFC = "caf\u00e9.mp3";
const NFD = "cafe\u0301.mp3";
// chmod 000 does not stop root from reading, and aws running as root reads such files too.
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

let base: string;
let root: string;
let outside: string;
let result: ScanResult;

function write(rel: string, content = "x") {
  const full = join(root, rel);
  mkdirSync(join(full, ".."), { recursive: true });
  writeFileSync(full, content);
}

const paths = () => result.files.map((f) => f.path);
const skippedAs = (reason: string) =>
  result.skipped
    .filter((s) => s.reason === reason)
    .map((s) => s.path)
    .sort();

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "scanner-test-"));
  root = join(base, "vol");
  outside = join(base, "outside");
  mkdirSync(root);
  mkdirSync(join(outside, "deep"), { recursive: true });
  writeFileSync(join(outside, "deep", "t.txt"), "target");
  writeFileSync(join(outside, "target.bin"), "12345");

  write("a/b/c/deep.txt", "deep");
  write("top.txt", "top");
  write("a.txt");
  write("a-b.txt");
  write(NFC, "nfc");
  write(NFD, "nfd-bytes");
  write("real\uFFFD.txt"); // a valid name that really contains U+FFFD
  write("Song.mp3");
  write("song.mp3");
  write("hard/one.bin", "hard");
  linkSync(join(root, "hard/one.bin"), join(root, "hard/two.bin"));
  symlinkSync(join(outside, "target.bin"), join(root, "file-link.bin"));
  symlinkSync(outside, join(root, "dir-link"));
  symlinkSync("..", join(root, "a/loop"));
  symlinkSync(join(root, "missing"), join(root, "broken"));
  symlinkSync("self", join(root, "self"));
  execFileSync("mkfifo", [join(root, "pipe")]);
  write("locked/secret.txt");
  chmodSync(join(root, "locked/secret.txt"), 0o000);
  write("closed/inside.txt");
  chmodSync(join(root, "closed"), 0o000);
  writeFileSync(Buffer.concat([Buffer.from(`${root}/bad`), Buffer.from([0xff, 0xfe]), Buffer.from(".txt")]), "x");
  mkdirSync(Buffer.concat([Buffer.from(`${root}/baddir`), Buffer.from([0xc3])]));
  // excluded by the user, and the tool's own files
  write(".DS_Store");
  write("a/.hidden");
  write("dir/song.m4p");
  write(".s3-smart-sync.db");
  write(".s3-smart-sync.lock");
  write("logs/s3-sync-2024.log");
  write("logs/keep.log");

  result = await scanVolume({ root, excludes: [".*", "*/.*", "*.m4p"] });
});

afterAll(() => {
  chmodSync(join(root, "closed"), 0o755);
  rmSync(base, { recursive: true, force: true });
});

describe("scanVolume", () => {
  it("lists every regular file aws would upload, sorted by path", () => {
    const expected = [
      "Song.mp3",
      "a-b.txt",
      "a.txt",
      "a/b/c/deep.txt",
      `${NFC}`,
      `${NFD}`,
      "dir-link/deep/t.txt",
      "dir-link/target.bin",
      "file-link.bin",
      "hard/one.bin",
      "hard/two.bin",
      "logs/keep.log",
      "real\uFFFD.txt",
      "song.mp3",
      "top.txt",
      ...(isRoot ? ["closed/inside.txt", "locked/secret.txt"] : []),
    ].sort();
    expect(paths()).toEqual(expected);
    expect(paths()).toEqual([...paths()].sort());
  });

  it("keeps NFC and NFD spellings as distinct files", () => {
    const nfc = result.files.find((f) => f.path === NFC)!;
    const nfd = result.files.find((f) => f.path === NFD)!;
    expect(nfc.size).toBe(3);
    expect(nfd.size).toBe(9);
    expect(nfc.inode).not.toBe(nfd.inode);
  });

  it("reports inode, device, size and mtime from stat", () => {
    const top = result.files.find((f) => f.path === "top.txt")!;
    const st = statSync(join(root, "top.txt"));
    expect(top).toEqual({ path: "top.txt", inode: st.ino, dev: st.dev, size: 3, mtimeMs: st.mtimeMs });
  });

  it("names the files born after a given time, from the scan's own stat (no birth times asked: none named)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scan-born-"));
    try {
      writeFileSync(join(dir, "old.txt"), "o");
      mkdirSync(join(dir, "sub"));
      writeFileSync(join(dir, "sub/older.txt"), "o");
      const cutoff = statSync(join(dir, "sub/older.txt")).birthtimeMs;
      if (cutoff === 0) throw new Error("this file system keeps no birth times: the test cannot tell");
      await new Promise((r) => setTimeout(r, 20));
      writeFileSync(join(dir, "new.txt"), "n");
      writeFileSync(join(dir, "sub/newer.txt"), "n");
      writeFileSync(join(dir, "sub/left-out.tmp"), "n");
      const born = await scanVolume({ root: dir, excludes: ["*.tmp"], bornAfterMs: cutoff });
      expect([...born.bornAfter!].sort()).toEqual(["new.txt", "sub/newer.txt"]);
      expect((await scanVolume({ root: dir })).bornAfter).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("returns both paths of a hard link with the same inode", () => {
    const [one, two] = ["hard/one.bin", "hard/two.bin"].map((p) => result.files.find((f) => f.path === p)!);
    expect(one.inode).toBe(two.inode);
    expect(one.dev).toBe(two.dev);
  });

  it("follows symlinks: a file link has its target's stat under the link's path", () => {
    const link = result.files.find((f) => f.path === "file-link.bin")!;
    expect(link.inode).toBe(statSync(join(outside, "target.bin")).ino);
    expect(link.size).toBe(5);
  });

  it("skips a directory already on the ancestor chain as a symlink loop", () => {
    expect(skippedAs("symlink-loop")).toEqual(["a/loop"]);
  });

  it("skips broken links, special files and names that are not UTF-8", () => {
    expect(skippedAs("broken-symlink")).toEqual(["broken", "self"]);
    expect(skippedAs("special-file")).toEqual(["pipe"]);
    expect(skippedAs("invalid-utf8-name")).toEqual(["baddir\uFFFD", "bad\uFFFD\uFFFD.txt"]);
  });

  it("keeps each name that is not UTF-8 as aws reads it: a lone surrogate per bad byte", () => {
    const invalid = result.skipped.filter((s) => s.reason === "invalid-utf8-name").map((s) => s.pythonPath);
    expect(invalid.sort()).toEqual(["baddir\udcc3", "bad\udcff\udcfe.txt"]);
  });

  it("skips unreadable files and folders (not testable as root, which reads them)", () => {
    expect(skippedAs("unreadable")).toEqual(isRoot ? [] : ["closed", "locked/secret.txt"]);
  });

  it("counts excluded files and the tool's own files without returning them", () => {
    // .DS_Store, a/.hidden, dir/song.m4p, .s3-smart-sync.db, .s3-smart-sync.lock, logs/s3-sync-2024.log
    expect(result.excludedCount).toBe(6);
    expect(paths().some((p) => p.includes(".s3-smart-sync") || p.endsWith(".m4p"))).toBe(false);
  });

  it("still walks excluded folders for included files", async () => {
    const r = await scanVolume({ root, excludes: ["a/*"] });
    expect(r.files.some((f) => f.path.startsWith("a/"))).toBe(false);
    expect(r.files.some((f) => f.path === "top.txt")).toBe(true);
    expect(r.skipped.some((s) => s.path === "a/loop")).toBe(true);
  });

  it("reports progress", async () => {
    const seen: number[] = [];
    await scanVolume({ root, excludes: [], onProgress: (n) => seen.push(n) });
    expect(seen.at(-1)).toBeGreaterThanOrEqual(15);
  });

  it("fails with VOLUME_MISSING when the root is missing or not a folder", async () => {
    await expect(scanVolume({ root: join(base, "nope"), excludes: [] })).rejects.toMatchObject({
      code: "VOLUME_MISSING",
      message: `${join(base, "nope")} is not mounted or does not exist`,
    });
    await expect(scanVolume({ root: join(root, "top.txt"), excludes: [] })).rejects.toMatchObject({
      code: "VOLUME_MISSING",
    });
  });

  it("skips unreadable entries for an unprivileged user (run as nobody when we are root)", () => {
    const dir = mkdtempSync(join(tmpdir(), "scanner-nobody-"));
    try {
      chmodSync(dir, 0o755);
      mkdirSync(join(dir, "v/closed"), { recursive: true });
      // Listable but not searchable: names come back, but nothing in it can be stat'ed (nor entered).
      mkdirSync(join(dir, "v/listonly"));
      writeFileSync(join(dir, "v/listonly/f.txt"), "x");
      chmodSync(join(dir, "v/listonly"), 0o744);
      writeFileSync(join(dir, "v/ok.txt"), "x");
      writeFileSync(join(dir, "v/secret.txt"), "x");
      chmodSync(join(dir, "v/secret.txt"), 0o000);
      chmodSync(join(dir, "v/closed"), 0o000);
      const script = join(dir, "scan.mts");
      const scanner = fileURLToPath(new URL("../../src/engine/scanner.ts", import.meta.url));
      writeFileSync(
        script,
        `import { scanVolume } from ${JSON.stringify(scanner)};\n` +
          `const out = [];\n` +
          `out.push(await scanVolume({ root: process.argv[2], excludes: [] }));\n` +
          `try { await scanVolume({ root: process.argv[3], excludes: [] }); } catch (e) { out.push(e.code); }\n` +
          `console.log(JSON.stringify(out));\n`,
      );
      // Bundled next to the volume: the checkout itself may sit in a folder this user cannot enter.
      const bundle = join(dir, "scan.mjs");
      buildSync({
        entryPoints: [script],
        bundle: true,
        platform: "node",
        format: "esm",
        outfile: bundle,
        logLevel: "silent",
      });
      chmodSync(bundle, 0o644);
      const stdout = execFileSync(process.execPath, [bundle, join(dir, "v"), join(dir, "v/closed")], {
        ...(isRoot ? { uid: 65534, gid: 65534 } : {}),
        cwd: dir,
      });
      const [scan, rootError] = JSON.parse(stdout.toString()) as [ScanResult, string];
      expect(scan.files.map((f) => f.path)).toEqual(["ok.txt"]);
      expect(scan.skipped.map((s) => [s.path, s.reason]).sort()).toEqual([
        ["closed", "unreadable"],
        ["listonly/f.txt", "unreadable"],
        ["secret.txt", "unreadable"],
      ]);
      expect(rootError).toBe("VOLUME_UNREADABLE");
    } finally {
      chmodSync(join(dir, "v/closed"), 0o755);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives the same result from a relative root, and leaves the working directory as it was", async () => {
    const cwd = process.cwd();
    const cwdSeen = new Set<string>();
    const relative = await scanVolume({
      root: path.relative(cwd, root),
      excludes: [".*", "*/.*", "*.m4p"],
      onProgress: () => cwdSeen.add(process.cwd()),
    });
    expect(relative.files).toEqual(result.files);
    expect(relative.skipped).toEqual(result.skipped);
    expect(relative.excludedCount).toBe(result.excludedCount);
    expect(process.cwd()).toBe(cwd);
    expect([...cwdSeen]).toEqual([cwd]);
  });

  it("gives the same result in a worker thread, where it cannot change directory and stats full paths", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scanner-worker-"));
    try {
      const script = join(dir, "worker.mts");
      const scanner = fileURLToPath(new URL("../../src/engine/scanner.ts", import.meta.url));
      writeFileSync(
        script,
        `import { parentPort, workerData } from "node:worker_threads";\n` +
          `import { scanVolume } from ${JSON.stringify(scanner)};\n` +
          `parentPort.postMessage(await scanVolume(workerData));\n`,
      );
      const bundle = join(dir, "worker.mjs");
      buildSync({
        entryPoints: [script],
        bundle: true,
        platform: "node",
        format: "esm",
        outfile: bundle,
        logLevel: "silent",
      });
      const inWorker = await new Promise<ScanResult>((resolve, reject) => {
        const worker = new Worker(bundle, { workerData: { root, excludes: [".*", "*/.*", "*.m4p"] } });
        worker.once("message", (r: ScanResult) => {
          resolve(r);
          void worker.terminate();
        });
        worker.once("error", reject);
      });
      expect(inWorker.files).toEqual(result.files);
      expect(inWorker.skipped).toEqual(result.skipped);
      expect(inWorker.excludedCount).toBe(result.excludedCount);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stops when aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(scanVolume({ root, excludes: [], signal: controller.signal })).rejects.toMatchObject({
      code: "ABORTED",
    });
  });
});
