// Batch stage, between targets: once every target of a batch is prepared (planned and proven) and before any
// is executed. A file that one target's aws would upload and whose content another target is about to delete
// (a folder moved from /Volumes/Work to /Volumes/Archive) is copied server-side from the other target's
// object, after the same content proof as any move without an inode (prover.ts). The source stays: its own
// target's sync deletes it afterwards, as it would have. A copy that cannot be made (no access to the other
// bucket, the object changed since it was listed) is left to aws, which uploads the file.
import { DEFAULT_HASH_BUDGET, DEFAULT_PROVE_MIN_SIZE, likeliestFirst, orphanObjects } from "../content-pairing";
import type { ProofKind } from "../content-proof";
import { keyFor, pathForKey } from "../keys";
import type { MoveOutcome } from "../mover";
import type { PlannedMove } from "../planner";
import { Prover, targetPartSizes } from "../prover";
import { ObjectArchivedError, SourceChangedError, SourceMissingError, recordedObjectInfo } from "../s3";
import type { S3ObjectInfo, ScannedFile } from "../types";
import type { PreparedRun } from "../run";
import { busyKeys, readOnlyCache } from "./prove-stage";

/** An object another target's sync would delete, with the run it belongs to. */
interface Leaving extends S3ObjectInfo {
  source: PreparedRun;
  /** Known from the source's DB rather than a listing: asked for with HEAD before any proof. */
  recorded: boolean;
}

export async function crossTargetStage(runs: readonly PreparedRun[], signal?: AbortSignal): Promise<void> {
  if (runs.length < 2) return;
  const leaving = new Map(runs.map((run) => [run, leavingObjects(run)]));
  for (const destination of runs) {
    const others = runs.filter((r) => r !== destination && sameStore(r, destination)).flatMap((r) => leaving.get(r)!);
    if (others.length === 0) continue;
    await copyInto(destination, others, signal);
  }
}

/** Copies between buckets go through one S3 endpoint: the destination's client must reach the source. */
function sameStore(a: PreparedRun, b: PreparedRun): boolean {
  return (a.ctx.target.endpointUrl ?? "") === (b.ctx.target.endpointUrl ?? "");
}

/**
 * The objects this target's sync would delete that nothing else of its own run uses: from its listing when
 * the run took one, else the DB rows of files gone from the volume (each with its recorded ETag).
 */
function leavingObjects(run: PreparedRun): Leaving[] {
  const { ctx, scan, verified } = run;
  const { plan } = verified;
  if (verified.objects) {
    const objects = orphanObjects({
      scan: scan.files,
      objects: verified.objects,
      prefix: ctx.prefix,
      isExcluded: scan.filters.isExcludedPath,
      busyKeys: busyKeys(plan, ctx.prefix),
      doubtfulKeys: new Set(plan.unsure.map((f) => keyFor(ctx.prefix, f.path))),
      skippedPaths: new Set(scan.skipped.map((s) => s.path)),
    });
    return objects.map((o) => ({ ...o, source: run, recorded: false }));
  }
  const busy = busyKeys(plan, ctx.prefix);
  return plan.deleted.flatMap((row) => {
    const key = keyFor(ctx.prefix, row.path);
    if (!row.etag || row.size === 0 || busy.has(key)) return [];
    return [{ ...recordedObjectInfo(key, row, row.etag), source: run, recorded: true }];
  });
}

/** The files this target's aws would upload that are worth proving: no object at their key, big enough. */
function arrivingFiles(run: PreparedRun): ScannedFile[] {
  const { ctx, verified } = run;
  const minSize = Math.max(1, ctx.target.proveMinSize ?? DEFAULT_PROVE_MIN_SIZE);
  return verified.plan.newFiles
    .filter((f) => f.size >= minSize && !verified.objects?.has(keyFor(ctx.prefix, f.path)))
    .sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
}

async function copyInto(destination: PreparedRun, leaving: readonly Leaving[], signal?: AbortSignal): Promise<void> {
  const { ctx, volume } = destination;
  const bySize = new Map<number, Leaving[]>();
  for (const object of leaving) bySize.set(object.size, [...(bySize.get(object.size) ?? []), object]);
  const files = arrivingFiles(destination).filter((f) => bySize.has(f.size));
  if (files.length === 0) return;

  ctx.phase("hash");
  const totalBytes = files.reduce((sum, f) => sum + f.size, 0);
  const spent = ctx.report.hashing?.bytes ?? 0;
  const pool = { left: Math.max(0, (ctx.target.hashBudget ?? DEFAULT_HASH_BUDGET) - spent) };
  const read = { bytes: 0, files: 0, cachedFiles: 0 };
  const provers = new Map<PreparedRun, Prover>();
  const proverFor = (source: PreparedRun, recorded: boolean) => {
    let prover = provers.get(source);
    if (!prover) {
      const gateway = source.bucket.gateway;
      prover = new Prover({
        root: ctx.target.localPath,
        cache: ctx.dryRun ? readOnlyCache(volume) : volume.db,
        crc64: (key) => gateway.fullObjectCrc64(key, { signal }),
        current: recorded ? (key) => gateway.head(key, { signal }) : undefined,
        budget: pool.left,
        pool,
        partSizes: targetPartSizes(ctx.target),
        signal,
        onProgress: () => {
          const all = [...provers.values()].map((p) => p.result);
          const bytes = all.reduce((sum, r) => sum + r.bytes, 0);
          const count = all.reduce((sum, r) => sum + r.files, 0);
          ctx.emit({ type: "hash-progress", target: ctx.target.name, bytes, totalBytes, files: count });
        },
      });
      provers.set(source, prover);
    }
    return prover;
  };

  const proven: { file: ScannedFile; object: Leaving; proof: ProofKind; now: S3ObjectInfo }[] = [];
  for (const file of files) {
    for (const object of likeliestFirst(file, bySize.get(file.size)!)) {
      const prover = proverFor(object.source, object.recorded);
      const proof = (await prover.prove({ file, objects: [object] })).get(object.key);
      if (proof === undefined) continue;
      proven.push({ file, object, proof, now: prover.objectNow(object) });
      break;
    }
  }
  for (const prover of provers.values()) {
    const stats = prover.result;
    read.bytes += stats.bytes;
    read.files += stats.files;
    read.cachedFiles += stats.cachedFiles;
  }

  const outcomes = await Promise.all(
    proven.map(async ({ file, object, proof, now }): Promise<MoveOutcome> => {
      const move = crossCopy(destination, file, object, now, proof);
      if (ctx.dryRun) return { move, status: "done" };
      try {
        const { etag, defaultSse } = await destination.bucket.gateway.copyObject(move.fromKey, move.toKey, {
          ifMatchEtag: move.etag ?? "",
          size: move.size,
          storageClass: ctx.target.storageClass,
          sourceBucket: object.source.ctx.target.bucket,
          signal,
        });
        return { move, status: "done", etag, defaultSse };
      } catch (error) {
        if (signal?.aborted) throw error;
        return { move, status: "failed", error: copyFailure(error) };
      }
    }),
  );
  settle(destination, outcomes, read, pool.left);
}

function crossCopy(
  destination: PreparedRun,
  file: ScannedFile,
  object: Leaving,
  now: S3ObjectInfo,
  proof: ProofKind,
): PlannedMove {
  const source = object.source.ctx;
  return {
    from: pathForKey(source.prefix, object.key) ?? object.key,
    to: file.path,
    fromKey: object.key,
    toKey: keyFor(destination.ctx.prefix, file.path),
    inode: file.inode,
    size: file.size,
    mtime: file.mtimeMs / 1000,
    etag: now.etag,
    storageClass: destination.ctx.target.storageClass,
    state: "ready",
    evidence: "cross-target",
    proof,
    copy: true,
    fromTarget: source.target.name,
    fromBucket: source.target.bucket,
  };
}

/** Why a copy was not made, for the report: the file is uploaded by aws instead. */
function copyFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (
    error instanceof SourceChangedError ||
    error instanceof SourceMissingError ||
    error instanceof ObjectArchivedError
  )
    return message;
  return `the other target's object could not be copied (${message})`;
}

/** The destination's plan without the files copied into it, and its report with what was read and copied. */
function settle(
  destination: PreparedRun,
  outcomes: MoveOutcome[],
  read: { bytes: number; files: number; cachedFiles: number },
  budgetLeft: number,
): void {
  const { ctx } = destination;
  const copied = outcomes.filter((o) => o.status === "done");
  const failed = outcomes.length - copied.length;
  destination.crossCopies.push(...outcomes);
  const handled = new Set(copied.map((o) => o.move.to));
  const plan = destination.verified.plan;
  destination.verified = {
    ...destination.verified,
    plan: { ...plan, newFiles: plan.newFiles.filter((f) => !handled.has(f.path)) },
  };
  ctx.report.counts.new = destination.verified.plan.newFiles.length;
  const before = ctx.report.hashing;
  ctx.report.hashing = {
    bytes: (before?.bytes ?? 0) + read.bytes,
    files: (before?.files ?? 0) + read.files,
    cachedFiles: (before?.cachedFiles ?? 0) + read.cachedFiles,
    proven: (before?.proven ?? 0) + outcomes.length,
    bytesProven: (before?.bytesProven ?? 0) + outcomes.reduce((sum, o) => sum + o.move.size, 0),
    budgetLeft,
  };
  const sources = [...new Set(outcomes.map((o) => o.move.fromTarget))].join(", ");
  if (outcomes.length > 0)
    ctx.notice(
      `Between targets: ${copied.length} file(s) ${ctx.dryRun ? "would be " : ""}copied server-side from ${sources}, ` +
        `proven by content` +
        (failed > 0 ? `; ${failed} copy(ies) could not be made and are left to aws` : "") +
        ".",
      failed > 0 ? "warning" : "info",
    );
}
