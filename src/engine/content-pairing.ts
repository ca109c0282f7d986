// Which files to prove against which objects, when inodes cannot tell (no usable DB, exFAT, a rename that
// also changed the number). Pure. A file aws would upload (no object at its key) and an object aws would
// delete (no file at its key) of the same size are a candidate pair; names and dates only order the
// candidates, they never prove anything. Proof is content (content-proof.ts): a pair that does not prove
// equal is left to aws. Objects that stay (a file is at their key) are sources for copies, never moves.
import path from "node:path";
import { isArchived } from "./move-rules";
import { keyFor, pathForKey } from "./keys";
import type { S3ObjectInfo, ScannedFile } from "./types";

/** Below this size a file is uploaded rather than proven: hashing and a request cost more than sending it. */
export const DEFAULT_PROVE_MIN_SIZE = 256 * 1024;
/** Bytes read for proofs per run, unless the target sets another budget. */
export const DEFAULT_HASH_BUDGET = 64 * 1024 ** 3;
/** Objects one file is compared with: one read of the file proves it against all of them. */
export const MAX_OBJECTS_PER_FILE = 8;

export interface PairingInput {
  scan: readonly ScannedFile[];
  /** The prefix's listing by key. */
  objects: ReadonlyMap<string, S3ObjectInfo>;
  prefix: string;
  /** aws's exclude test for a relative path: excluded objects are never moved, copied over or deleted. */
  isExcluded: (path: string) => boolean;
  /** Keys the plan already moves from or to, or leaves alone (archived moves): not paired again. */
  busyKeys: ReadonlySet<string>;
  /** Keys that may hold other bytes than recorded (the plan's `unsure`): never a source, may be a destination. */
  doubtfulKeys?: ReadonlySet<string>;
  /** Paths the scan skipped (unreadable, special files): aws leaves their objects alone. */
  skippedPaths?: ReadonlySet<string>;
  minSize: number;
}

export interface CandidatePair {
  file: ScannedFile;
  /** Same-size objects to prove the file against, most likely first. */
  objects: S3ObjectInfo[];
}

export interface Candidates {
  /** Files aws would upload, biggest first (biggest savings first), each with the orphans it may be. */
  moves: CandidatePair[];
  /** The same files with objects that stay where they are (sources for server-side copies). */
  copies: CandidatePair[];
}

/** Keys the tool keeps to itself under the prefix (temporary keys of cycles): never orphans. */
const OWN_KEY = /(^|\/)\.s3-smart-sync/;

/** The prefix's objects a sync leaves (a file is at their key) and those it would delete (none is), by size. */
function classifyObjects(input: PairingInput) {
  const { scan, objects, prefix } = input;
  const scanKeys = new Set(scan.map((f) => keyFor(prefix, f.path)));
  const orphansBySize = new Map<number, S3ObjectInfo[]>();
  const stayingBySize = new Map<number, S3ObjectInfo[]>();
  for (const object of objects.values()) {
    if (object.size < input.minSize || object.key.endsWith("/") || isArchived(object)) continue;
    if (input.busyKeys.has(object.key) || input.doubtfulKeys?.has(object.key) || OWN_KEY.test(object.key)) continue;
    const rel = pathForKey(prefix, object.key);
    if (rel === null || input.isExcluded(rel) || input.skippedPaths?.has(rel)) continue;
    const bySize = scanKeys.has(object.key) ? stayingBySize : orphansBySize;
    const list = bySize.get(object.size) ?? [];
    list.push(object);
    bySize.set(object.size, list);
  }
  return { orphansBySize, stayingBySize };
}

/** Objects no file explains and no move uses: what the sync would delete, and another target may prove. */
export function orphanObjects(input: Omit<PairingInput, "minSize">): S3ObjectInfo[] {
  return [...classifyObjects({ ...input, minSize: 1 }).orphansBySize.values()].flat();
}

export function findCandidates(input: PairingInput): Candidates {
  const { scan, objects, prefix } = input;
  const { orphansBySize, stayingBySize } = classifyObjects(input);
  const files = scan
    .filter((f) => f.size >= input.minSize && f.size > 0)
    .filter((f) => !objects.has(keyFor(prefix, f.path)) && !input.busyKeys.has(keyFor(prefix, f.path)))
    .sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
  const pairs = (bySize: Map<number, S3ObjectInfo[]>) =>
    files.flatMap((file) => {
      const same = bySize.get(file.size);
      return same ? [{ file, objects: likeliestFirst(file, same) }] : [];
    });
  return { moves: pairs(orphansBySize), copies: pairs(stayingBySize) };
}

/**
 * At most MAX_OBJECTS_PER_FILE objects: same name first, then same name without extension, then the object
 * written closest after the file's mtime (a key's last segment is its file's name under any prefix).
 */
export function likeliestFirst<T extends S3ObjectInfo>(file: ScannedFile, objects: readonly T[]): T[] {
  const name = path.posix.basename(file.path);
  const stem = name.replace(/\.[^.]*$/, "");
  const rank = (object: S3ObjectInfo) => {
    const other = path.posix.basename(object.key);
    if (other === name) return 0;
    return other.replace(/\.[^.]*$/, "") === stem ? 1 : 2;
  };
  const distance = (object: S3ObjectInfo) => {
    const after = object.lastModifiedMs - file.mtimeMs;
    return after >= -1000 ? after : Number.MAX_SAFE_INTEGER / 2 - after;
  };
  return [...objects]
    .sort((a, b) => rank(a) - rank(b) || distance(a) - distance(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, MAX_OBJECTS_PER_FILE);
}

/** A proof found: the file holds exactly this object's bytes. */
export interface ProvenPair<P = string> {
  file: ScannedFile;
  object: S3ObjectInfo;
  proof: P;
}

/**
 * Each orphan moves to at most one file (the first, biggest, that proved equal to it); each file takes the
 * first object it proved equal to, in the order the candidates gave.
 */
export function assignMoves<P>(
  pairs: readonly CandidatePair[],
  proofs: (file: ScannedFile, object: S3ObjectInfo) => P | undefined,
): ProvenPair<P>[] {
  const taken = new Set<string>();
  const out: ProvenPair<P>[] = [];
  for (const pair of pairs) {
    for (const object of pair.objects) {
      if (taken.has(object.key)) continue;
      const proof = proofs(pair.file, object);
      if (proof === undefined) continue;
      taken.add(object.key);
      out.push({ file: pair.file, object, proof });
      break;
    }
  }
  return out;
}
