// Stage 6b, prove: what the inodes could not tell, content can. Files aws would upload are paired with
// same-size objects (content-pairing.ts), read within the run's hashing budget, biggest savings first, and
// proven equal to them from ETags or checksums (prover.ts): an object no file explains becomes a
// server-side move, an object that stays becomes the source of a server-side copy. Anything unproven is
// left to aws. Runs after verify (it needs the listing) and before the deletion guard.
import { statSync } from "node:fs";
import path from "node:path";
import { DEFAULT_HASH_BUDGET, DEFAULT_PROVE_MIN_SIZE, assignMoves, findCandidates } from "../content-pairing";
import type { ProofKind } from "../content-proof";
import { keyFor, pathForKey } from "../keys";
import { REJECT_REASON_TEXT } from "../move-rules";
import type { Plan, PlannedMove } from "../planner";
import { Prover, targetPartSizes, type HashCache } from "../prover";
import { comparePaths } from "../path-order";
import { recordedObjectInfo } from "../s3";
import type { FileRecord, S3ObjectInfo, ScannedFile } from "../types";
import { listPrefix } from "./bucket-objects";
import type { ConnectedBucket } from "./connect-bucket";
import type { RunContext } from "./context";
import type { OpenedVolume } from "./open-volume";
import type { VolumeScan } from "./scan-stage";
import type { VerifiedRun } from "./verify-stage";

export async function proveStage(
  ctx: RunContext,
  volume: OpenedVolume,
  bucket: ConnectedBucket,
  scan: VolumeScan,
  verified: VerifiedRun,
): Promise<VerifiedRun> {
  const { target, prefix } = ctx;
  const { plan } = verified;
  const minSize = Math.max(1, target.proveMinSize ?? DEFAULT_PROVE_MIN_SIZE);
  const uploads = volume.baseline ? scan.files : plan.newFiles;
  const doubtful = doubtfulMoves(ctx, scan, verified);
  // Without a file worth proving, not even a listing is asked for.
  if (doubtful.size === 0 && !uploads.some((f) => f.size >= minSize)) return verified;
  let objects = verified.objects;
  // With usable state and no listing taken, the DB says what the bucket holds (each row with a known ETag);
  // every object a proof is made against is then asked for with HEAD. Without state, only a listing can.
  const fromRecords = !objects && !volume.baseline;
  if (fromRecords) {
    objects = recordedObjects(volume, plan, prefix, minSize);
  } else if (!objects) {
    ctx.phase("list");
    objects = await listPrefix(
      bucket.gateway,
      prefix,
      (count) => ctx.emit({ type: "list-progress", target: target.name, objects: count }),
      ctx.options.signal,
    );
  }
  const candidates = findCandidates({
    scan: scan.files,
    objects,
    prefix,
    isExcluded: scan.filters.isExcludedPath,
    busyKeys: busyKeys(plan, prefix),
    doubtfulKeys: new Set(plan.unsure.map((f) => keyFor(prefix, f.path))),
    skippedPaths: new Set(scan.skipped.map((s) => s.path)),
    minSize,
  });
  if (doubtful.size === 0 && candidates.moves.length === 0 && candidates.copies.length === 0)
    return fromRecords ? verified : { ...verified, objects };

  ctx.phase("hash");
  const files = new Map<string, ScannedFile>();
  for (const pair of [...candidates.moves, ...candidates.copies]) files.set(pair.file.path, pair.file);
  const totalBytes = [...files.values(), ...doubtful.values()].reduce((sum, f) => sum + f.size, 0);
  const prover = new Prover({
    root: target.localPath,
    cache: ctx.dryRun ? readOnlyCache(volume) : volume.db,
    crc64: (key) => bucket.gateway.fullObjectCrc64(key, { signal: ctx.options.signal }),
    current: fromRecords ? (key) => bucket.gateway.head(key, { signal: ctx.options.signal }) : undefined,
    budget: target.hashBudget ?? DEFAULT_HASH_BUDGET,
    partSizes: targetPartSizes(target),
    signal: ctx.options.signal,
    onProgress: ({ bytes, files: count }) =>
      ctx.emit({ type: "hash-progress", target: target.name, bytes, totalBytes, files: count }),
  });

  const confirmed = await confirmMoves(plan, doubtful, objects, prover);
  for (const r of confirmed.rejected.slice(plan.rejected.length)) {
    ctx.report.moves.skipped++;
    ctx.report.moves.list.push({
      ...r,
      fromKey: keyFor(prefix, r.from),
      toKey: keyFor(prefix, r.to),
      status: "skipped",
      reason: REJECT_REASON_TEXT[r.reason],
    });
  }
  const proofs = new Map<string, Map<string, ProofKind | undefined>>();
  for (const pair of candidates.moves) proofs.set(pair.file.path, await prover.prove(pair));
  const lookup = (file: ScannedFile, object: S3ObjectInfo) => proofs.get(file.path)?.get(object.key);
  const moved = assignMoves(candidates.moves, lookup);
  const movedTo = new Set(moved.map((m) => m.file.path));
  const copyPairs = candidates.copies.filter((pair) => !movedTo.has(pair.file.path));
  for (const pair of copyPairs) {
    const known = proofs.get(pair.file.path) ?? new Map<string, ProofKind | undefined>();
    for (const [key, proof] of await prover.prove(pair)) known.set(key, proof);
    proofs.set(pair.file.path, known);
  }
  // A staying object may be the source of any number of copies: each file takes the first it proved equal to.
  const copied = copyPairs.flatMap((pair) => {
    const object = pair.objects.find((o) => lookup(pair.file, o) !== undefined);
    return object ? [{ file: pair.file, object, proof: lookup(pair.file, object)! }] : [];
  });

  const toMove = (pair: { file: ScannedFile; object: S3ObjectInfo; proof: ProofKind }, copy: boolean) =>
    provenMove(prefix, pair.file, prover.objectNow(pair.object), pair.proof, copy);
  // Moves chosen in Preview: proven moves and copies stand alone (no chain or swap), so each is kept or not.
  const chosen = (m: PlannedMove) => !ctx.options.selectMoves || ctx.options.selectMoves({ from: m.from, to: m.to });
  const next = withProven(
    confirmed,
    moved.map((p) => toMove(p, false)).filter(chosen),
    copied.map((p) => toMove(p, true)).filter(chosen),
  );
  const stats = prover.result;
  ctx.report.counts.new = next.newFiles.length;
  ctx.report.counts.deleted = next.deleted.length;
  ctx.report.hashing = {
    bytes: stats.bytes,
    files: stats.files,
    cachedFiles: stats.cachedFiles,
    proven: moved.length + copied.length + confirmed.moves.filter((m) => m.evidence === "inode+hash").length,
    bytesProven: [...moved, ...copied].reduce((sum, p) => sum + p.file.size, 0),
    budgetLeft: stats.budgetLeft,
  };
  const unproven = files.size - moved.length - copied.length;
  if (moved.length + copied.length > 0 || unproven > 0)
    ctx.notice(
      `Content proof: ${moved.length} move(s) and ${copied.length} copy(ies) proven by hashing ` +
        `${stats.files} file(s)${stats.cachedFiles ? ` (${stats.cachedFiles} from earlier hashes)` : ""}` +
        (unproven > 0 ? `; ${unproven} file(s) not proven equal to any object are left to aws` : "") +
        ".",
    );
  // Later stages read `objects` as the bucket's listing: the DB's picture of it is not one.
  return { ...verified, plan: next, objects: fromRecords ? verified.objects : objects };
}

/**
 * The objects the DB says the bucket holds, of the sizes of the files that may be proven: rows with a known
 * ETag, still on the volume (objects that stay) or gone from it (objects aws would delete).
 */
function recordedObjects(volume: OpenedVolume, plan: Plan, prefix: string, minSize: number): Map<string, S3ObjectInfo> {
  const sizes = new Set(plan.newFiles.filter((f) => f.size >= minSize).map((f) => f.size));
  const objects = new Map<string, S3ObjectInfo>();
  for (const row of volume.db.allFiles()) {
    if (!row.etag || !sizes.has(row.size)) continue;
    const key = keyFor(prefix, row.path);
    objects.set(key, recordedObjectInfo(key, row, row.etag));
  }
  return objects;
}

/** Slack between the sync's clock and the file system's, in seconds. */
const CLOCK_SLACK_SECONDS = 2;

/**
 * Inode moves whose inode alone is not enough, by destination path: the file was born after the last run
 * started (or, with none recorded, after the old row was synced): its number was recycled from a deleted
 * file, as a rename keeps the birth time; or it sits at its own recorded path with that row's size and mtime
 * too (the number ties two rows). Rows are found in the planner's sorted records, birth times come with the
 * scan: a folder rename of a million files asks a million of each, which must be neither DB queries nor
 * system calls (a stat each held the event loop 11 s at a million).
 */
function doubtfulMoves(ctx: RunContext, scan: VolumeScan, verified: VerifiedRun) {
  const doubtful = new Map<string, ScannedFile>();
  const { plan, input } = verified;
  if (plan.moves.length === 0) return doubtful;
  const paths = new Set<string>();
  for (const move of plan.moves) {
    const here = findRecord(input.records, move.to);
    if (here !== undefined && here.size === move.size && Math.abs(here.mtime - move.mtime) < 0.001) {
      paths.add(move.to);
      continue;
    }
    if (scan.bornAfter) {
      if (scan.bornAfter.has(move.to)) paths.add(move.to);
      continue;
    }
    // No last run recorded: born after its old row was synced. Gone since the scan: aws sees to it.
    const born = statSync(path.join(ctx.target.localPath, move.to), { throwIfNoEntry: false })?.birthtimeMs ?? 0;
    const since = findRecord(input.records, move.from)?.synced ?? Infinity;
    if (born > 0 && born / 1000 > since + CLOCK_SLACK_SECONDS) paths.add(move.to);
  }
  if (paths.size > 0) for (const file of scan.files) if (paths.has(file.path)) doubtful.set(file.path, file);
  return doubtful;
}

/** The row at `filePath` in rows sorted in SQLite's order (`allFiles()`), by binary search. */
function findRecord(rows: readonly FileRecord[], filePath: string): FileRecord | undefined {
  let low = 0;
  let high = rows.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const order = comparePaths(rows[mid].path, filePath);
    if (order === 0) return rows[mid];
    if (order < 0) low = mid + 1;
    else high = mid - 1;
  }
  return undefined;
}

/**
 * Files born after this (ms) hold a recorded inode number most likely recycled from a deleted file: every
 * recorded file existed by the last run's scan (one born between its start and its scan is only hashed for
 * nothing). Undefined when no run's start is recorded.
 */
export function recycledAfterMs(volume: OpenedVolume): number | undefined {
  try {
    const at = (JSON.parse(volume.db.getMeta("last_run") ?? "null") as { at?: string } | null)?.at;
    const ms = at ? Date.parse(at) : NaN;
    return Number.isNaN(ms) ? undefined : ms + CLOCK_SLACK_SECONDS * 1000;
  } catch {
    return undefined;
  }
}

/** Doubtful moves proven by content become inode+hash; the others are left to aws (their files are uploaded). */
async function confirmMoves(
  plan: Plan,
  doubtful: ReadonlyMap<string, ScannedFile>,
  objects: ReadonlyMap<string, S3ObjectInfo>,
  prover: Prover,
): Promise<Plan> {
  if (doubtful.size === 0) return plan;
  const moves: PlannedMove[] = [];
  const rejected = [...plan.rejected];
  for (const move of plan.moves) {
    const file = doubtful.get(move.to);
    const object = objects.get(move.fromKey);
    if (!file) {
      moves.push(move);
      continue;
    }
    const proof = object ? (await prover.prove({ file, objects: [object] })).get(object.key) : undefined;
    if (proof) moves.push({ ...move, evidence: "inode+hash", proof });
    else rejected.push({ from: move.from, to: move.to, size: move.size, reason: "content-not-proven" });
  }
  return { ...plan, moves, rejected, bytesSaved: moves.reduce((sum, m) => sum + m.size, 0) };
}

/** Keys whose objects the plan already moves, waits on or holds: never paired again. */
export function busyKeys(plan: Plan, prefix: string): Set<string> {
  const keys = new Set<string>();
  for (const m of [...plan.moves, ...plan.archived]) keys.add(m.fromKey).add(m.toKey);
  // Pairs the user chose not to move (and their groups) stay unmoved. Other rejections (a hard link, an
  // inode recycled by another file, a stale source) are only what the inode could not prove: content may.
  for (const r of plan.rejected)
    if (r.reason === "skipped-by-user" || r.reason === "held-with-group")
      keys.add(keyFor(prefix, r.from)).add(keyFor(prefix, r.to));
  return keys;
}

function provenMove(
  prefix: string,
  file: ScannedFile,
  object: S3ObjectInfo,
  proof: ProofKind,
  copy: boolean,
): PlannedMove {
  return {
    from: pathForKey(prefix, object.key) ?? object.key,
    to: file.path,
    fromKey: object.key,
    toKey: keyFor(prefix, file.path),
    inode: file.inode,
    size: file.size,
    mtime: file.mtimeMs / 1000,
    etag: object.etag,
    storageClass: object.storageClass,
    state: "ready",
    evidence: "hash",
    proof,
    ...(copy ? { copy: true } : {}),
  };
}

/** The plan with the proven moves and copies: their files are no longer new, their old rows not deleted. */
function withProven(plan: Plan, moves: PlannedMove[], copies: PlannedMove[]): Plan {
  if (moves.length === 0 && copies.length === 0) return plan;
  const handled = new Set([...moves, ...copies].map((m) => m.to));
  const movedFrom = new Set(moves.map((m) => m.from));
  return {
    ...plan,
    moves: [...plan.moves, ...moves],
    copies: [...(plan.copies ?? []), ...copies],
    newFiles: plan.newFiles.filter((f) => !handled.has(f.path)),
    modified: plan.modified.filter((f) => !handled.has(f.path)),
    deleted: plan.deleted.filter((r) => !movedFrom.has(r.path)),
    bytesSaved: plan.bytesSaved + [...moves, ...copies].reduce((sum, m) => sum + m.size, 0),
  };
}

/** A dry run reads earlier hashes but writes nothing to the volume's DB. */
export function readOnlyCache(volume: OpenedVolume): HashCache {
  return { cachedHashes: (file) => volume.db.cachedHashes(file), cacheHash: () => undefined };
}
