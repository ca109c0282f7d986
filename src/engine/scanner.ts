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
// Speed: synchronous fs calls in a depth-first walk beat promise-based parallel stats on a warm cache
// (the common case after Spotlight/Finder have touched the volume) and keep the output in order without
// a global sort. The walk yields to the event loop every few milliseconds for progress and aborts.
import { isUtf8 } from "node:buffer";
import { accessSync, constants, lstatSync, readdirSync, statSync, type Stats } from "node:fs";
import { stat } from "node:fs/promises";
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
}

const YIELD_EVERY_MS = 50;

interface Entry {
  name: string;
  /** Sort key: directories get a trailing `/` so a depth-first walk emits paths in sorted order. */
  key: string;
  stats: Stats;
  dir: boolean;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

const uid = typeof process.getuid === "function" ? process.getuid() : -1;

/** Whether this process can read a file, without a syscall in the common cases. */
function canRead(path: string, stats: Stats): boolean {
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
  const { root, signal, onProgress } = options;
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

  const walk = async (abs: string, rel: string, dirStats: Stats): Promise<void> => {
    const id = `${dirStats.dev}:${dirStats.ino}`;
    const names = list(abs, rel);
    if (names === null) return;
    ancestors.add(id);
    const entries: Entry[] = [];
    for (const name of names) {
      const path = rel === "" ? name : `${rel}/${name}`;
      const full = `${abs}/${name}`;
      let stats: Stats | undefined;
      try {
        // throwIfNoEntry:false avoids building an Error for the common broken-link case.
        stats = statSync(full, { throwIfNoEntry: false });
      } catch (error) {
        // ELOOP (a link cycle among links) reads as "File does not exist" to aws.
        skip(path, isLink(full) ? "broken-symlink" : "unreadable", error);
        continue;
      }
      if (stats === undefined) {
        if (isLink(full)) skip(path, "broken-symlink");
        else skip(path, "vanished");
        continue;
      }
      if (stats.isFile()) {
        if (!canRead(full, stats)) {
          skip(path, "unreadable", "EACCES");
          continue;
        }
        entries.push({ name, key: name, stats, dir: false });
      } else if (stats.isDirectory()) {
        entries.push({ name, key: `${name}/`, stats, dir: true });
      } else {
        skip(path, "special-file");
      }
    }
    entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const entry of entries) {
      const path = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.dir) {
        if (ancestors.has(`${entry.stats.dev}:${entry.stats.ino}`)) {
          skip(path, "symlink-loop");
          continue;
        }
        await walk(`${abs}/${entry.name}`, path, entry.stats);
        continue;
      }
      filesSeen++;
      if (isExcluded(path)) {
        excludedCount++;
      } else {
        const s = entry.stats;
        files.push({ path, inode: Number(s.ino), dev: Number(s.dev), size: s.size, mtimeMs: s.mtimeMs });
      }
      if ((filesSeen & 1023) === 0 && performance.now() - lastYield > YIELD_EVERY_MS) await pause();
    }
    ancestors.delete(id);
  };

  if (signal?.aborted) throw aborted(signal);
  await walk(root.endsWith("/") && root.length > 1 ? root.replace(/\/+$/, "") : root, "", rootStats);
  onProgress?.(filesSeen);
  return { root, files, skipped, excludedCount };
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
