// Lists every regular file `aws s3 sync` would upload from a volume, with inode, size and mtime.
//
// Parity with aws-cli's FileGenerator.list_files (awscli/customizations/s3/filegenerator.py):
// - symlinks are followed: a file link is reported under the link's path with the target's stat,
//   a directory link is walked. aws recurses forever on a loop; we skip a directory whose (dev, ino)
//   is already on the current ancestor chain ("symlink-loop").
// - aws warns and skips: missing targets ("File does not exist"), FIFOs/sockets/devices, unreadable
//   files and folders. It checks these on every entry BEFORE applying the filters, so an excluded but
//   unreadable entry still makes aws warn (exit code 2); we report such entries in `skipped` too.
// - Names that are not valid UTF-8: Python 3 hands aws a surrogate-escaped name that cannot become a
//   key, so the file never reaches S3; we skip it ("invalid-utf8-name") and do not descend into such
//   folders.
// - Excluded directories are still walked (aws filters files, never prunes folders).
//
// Speed (measured in docs/benchmarks.md, "Scan"): synchronous fs calls in a depth-first walk beat
// promise-based parallel stats and a worker-thread stat pool on a warm cache (the common case after
// Spotlight/Finder have touched the volume), and keep the output in order without a global sort. The
// kernel's share of a stat is mostly the path walk, so each directory's entries are stat'ed by name from
// inside it (process.chdir, as find's fstatat does with a directory fd): about a third less CPU than full
// paths. The working directory is changed only within one directory's synchronous loop and restored
// before anything else can run; where chdir is not allowed (worker threads) or fails, full paths are used.
// Only numbers are kept from each Stats, so the objects die young. The walk yields to the event loop
// every few milliseconds for progress and aborts.
import { isUtf8 } from "node:buffer";
import { accessSync, constants, lstatSync, readdirSync, statSync, type Stats } from "node:fs";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { isMainThread } from "node:worker_threads";
import { SmartSyncError } from "./errors";
import { localExcludeMatcher } from "./aws-filters";
import { pythonPathFromBytes } from "./filters";
import type { ScanResult, ScannedFile, SkippedEntry } from "./types";

export interface ScanOptions {
  root: string;
  /** Which relative paths aws leaves out: a run passes the matcher of its own aws rules (aws-filters.ts). */
  isExcluded?: (relPath: string) => boolean;
  /** Without `isExcluded`: these aws patterns, plus the tool's own files. */
  excludes?: string[];
  signal?: AbortSignal;
  onProgress?: (filesSeen: number) => void;
  /** Files born after this (milliseconds since the epoch) are named in the result's `bornAfter`. */
  bornAfterMs?: number;
}

const YIELD_EVERY_MS = 50;

/**
 * An integral stat value as a small integer where it fits. `Stats` fields come out of a `Float64Array`, and
 * V8 keeps such a number in an object as a 16-byte box: three of them were 48 of a scanned file's ~250 bytes.
 */
const small = (n: number): number => (n >= 0 && n < 0x40000000 ? n | 0 : n);

// The first object of a shape fixes how V8 stores its fields. Made with `undefined` first, the numbers stay
// tagged (a small integer inline, another boxed alone); otherwise a single inode or size above 2^30 would
// turn the field into a boxed double in every scanned file of the run. Held by the module, with its map.
const shapes: ScannedFile[] = [];
shapes.push({ path: "", inode: undefined!, dev: undefined!, size: undefined!, mtimeMs: undefined! });

interface Entry {
  name: string;
  /** Sort key: directories get a trailing `/` so a depth-first walk emits paths in sorted order. */
  key: string;
  dir: boolean;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  birthtimeMs: number;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

const uid = typeof process.getuid === "function" ? process.getuid() : -1;

/** Whether this process can read a file, without a syscall in the common cases. */
function canRead(path: string, stats: Pick<Stats, "mode" | "uid">): boolean {
  if (uid === 0) return true;
  if (stats.mode & 0o004) return true;
  if (stats.uid === uid && stats.mode & 0o400) return true;
  try {
    accessSync(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

export async function scanVolume(options: ScanOptions): Promise<ScanResult> {
  const { root, signal, onProgress, bornAfterMs } = options;
  const bornAfter = new Set<string>();
  let rootStats: Stats;
  try {
    rootStats = await stat(root);
  } catch (error) {
    if (errorCode(error) === "EACCES") throw unreadableRoot(root, error);
    throw missingRoot(root, error);
  }
  if (!rootStats.isDirectory()) throw missingRoot(root);
  const isExcluded = options.isExcluded ?? localExcludeMatcher(root, options.excludes ?? []);

  const files: ScannedFile[] = [];
  const skipped: SkippedEntry[] = [];
  let excludedCount = 0;
  let filesSeen = 0;
  let lastYield = performance.now();
  const ancestors = new Set<string>();

  const skip = (path: string, reason: SkippedEntry["reason"], error?: unknown) =>
    skipped.push(error === undefined ? { path, reason } : { path, reason, detail: errorCode(error) ?? String(error) });

  const pause = async () => {
    lastYield = performance.now();
    onProgress?.(filesSeen);
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw aborted(signal);
  };

  /**
   * Names in one directory, or null when it cannot be listed (already reported). Names that are not
   * valid UTF-8 come back as null entries after being reported. Strings are read first (cheapest);
   * Node decodes invalid bytes as U+FFFD, so only a directory with a U+FFFD in some name is read again
   * as Buffers to tell a real U+FFFD from an undecodable name.
   */
  const list = (abs: string, rel: string): string[] | null => {
    try {
      const names = readdirSync(abs);
      if (!names.some((name) => name.includes("\uFFFD"))) return names;
      const valid: string[] = [];
      for (const raw of readdirSync(abs, { encoding: "buffer" })) {
        const name = raw.toString("utf8");
        if (isUtf8(raw)) {
          valid.push(name);
          continue;
        }
        // Kept as aws will read it, so that its exclude matches this name and no neighbour (`cafe.mp3`).
        const pythonName = pythonPathFromBytes(raw);
        skipped.push({
          path: rel === "" ? name : `${rel}/${name}`,
          pythonPath: rel === "" ? pythonName : `${rel}/${pythonName}`,
          reason: "invalid-utf8-name",
        });
      }
      return valid;
    } catch (error) {
      const code = errorCode(error);
      if (rel === "") {
        if (code === "EACCES" || code === "EPERM") throw unreadableRoot(root, error);
        throw missingRoot(root, error);
      }
      skip(rel, code === "ENOENT" || code === "ENOTDIR" ? "vanished" : "unreadable", error);
      return null;
    }
  };

  /** Whether a path that stat could not resolve is itself a (broken) symlink. */
  const isLink = (full: string): boolean => {
    try {
      return lstatSync(full).isSymbolicLink();
    } catch {
      return false;
    }
  };

  // The working directory to come back to after each directory's loop (none: full paths throughout).
  let home: string | undefined;
  try {
    if (isMainThread) home = process.cwd();
  } catch {
    // The current directory was deleted: stat by full path.
  }

  /** Stats every name of one directory into entries (sorted), reporting what aws would skip. */
  const statAll = (abs: string, rel: string, names: string[]): Entry[] => {
    let inside = false;
    if (home !== undefined) {
      try {
        process.chdir(abs);
        inside = true;
      } catch {
        // Not searchable (or gone): full paths, which fail the same way aws's do.
      }
    }
    const entries: Entry[] = [];
    try {
      for (const name of names) {
        const target = inside ? name : `${abs}/${name}`;
        let stats: Stats | undefined;
        try {
          // throwIfNoEntry:false avoids building an Error for the common broken-link case.
          stats = statSync(target, { throwIfNoEntry: false });
        } catch (error) {
          // ELOOP (a link cycle among links) reads as "File does not exist" to aws.
          skip(rel === "" ? name : `${rel}/${name}`, isLink(target) ? "broken-symlink" : "unreadable", error);
          continue;
        }
        if (stats === undefined) {
          skip(rel === "" ? name : `${rel}/${name}`, isLink(target) ? "broken-symlink" : "vanished");
          continue;
        }
        const dir = stats.isDirectory();
        if (!dir && !stats.isFile()) {
          skip(rel === "" ? name : `${rel}/${name}`, "special-file");
          continue;
        }
        if (!dir && !canRead(target, stats)) {
          skip(rel === "" ? name : `${rel}/${name}`, "unreadable", "EACCES");
          continue;
        }
        entries.push({
          name,
          key: dir ? `${name}/` : name,
          dir,
          dev: stats.dev,
          ino: stats.ino,
          size: stats.size,
          mtimeMs: stats.mtimeMs,
          birthtimeMs: stats.birthtimeMs,
        });
      }
    } finally {
      if (inside) {
        try {
          process.chdir(home!);
        } catch {
          home = undefined; // gone meanwhile: full paths from now on
        }
      }
    }
    return entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  };

  const walk = async (abs: string, rel: string, dirDev: number, dirIno: number): Promise<void> => {
    const id = `${dirDev}:${dirIno}`;
    const names = list(abs, rel);
    if (names === null) return;
    ancestors.add(id);
    for (const entry of statAll(abs, rel, names)) {
      const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.dir) {
        if (ancestors.has(`${entry.dev}:${entry.ino}`)) {
          skip(path, "symlink-loop");
          continue;
        }
        await walk(`${abs}/${entry.name}`, path, entry.dev, entry.ino);
        continue;
      }
      filesSeen++;
      if (isExcluded(path)) excludedCount++;
      else {
        files.push(scannedFile(path, entry));
        if (bornAfterMs !== undefined && entry.birthtimeMs > bornAfterMs) bornAfter.add(path);
      }
      if ((filesSeen & 1023) === 0 && performance.now() - lastYield > YIELD_EVERY_MS) await pause();
    }
    ancestors.delete(id);
  };

  if (signal?.aborted) throw aborted(signal);
  // Absolute, so that a relative root still names the same folder while the walk is inside another.
  await walk(resolve(root), "", rootStats.dev, rootStats.ino);
  onProgress?.(filesSeen);
  return { root, files, skipped, excludedCount, bornAfter: bornAfterMs === undefined ? undefined : bornAfter };
}

function scannedFile(path: string, entry: Entry): ScannedFile {
  return { path, inode: small(entry.ino), dev: small(entry.dev), size: small(entry.size), mtimeMs: entry.mtimeMs };
}

function missingRoot(root: string, cause?: unknown): SmartSyncError {
  return new SmartSyncError("VOLUME_MISSING", `${root} is not mounted or does not exist`, {
    hint: "Mount the volume (or fix local_path in the config) and run again.",
    retryable: true,
    cause,
  });
}

function unreadableRoot(root: string, cause?: unknown): SmartSyncError {
  return new SmartSyncError("VOLUME_UNREADABLE", `${root} cannot be read`, {
    hint: "Give this process read access to the folder (on macOS: Full Disk Access for the terminal or Raycast).",
    cause,
  });
}

function aborted(signal: AbortSignal): SmartSyncError {
  return new SmartSyncError("ABORTED", "Scan aborted", { cause: signal.reason });
}
