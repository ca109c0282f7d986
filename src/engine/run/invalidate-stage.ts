// Stage 8b, invalidate: between the moves and aws. Keys that may hold other bytes than their files with
// the same size (a move of a swap, chain or cycle that did not happen; a file replaced by an older one of
// the same size) are deleted, so that aws uploads those files instead of keeping the wrong object; and
// temporary keys of cycles that did not complete, in this run or an earlier one, are removed.
import { bucketAfterMoves, filesToCheck, staleKeys, type KeyState } from "../invalidation";
import { MoveJournal } from "../journal";
import { tempFolder } from "../move-batch";
import { keyFor, pathForKey } from "../keys";
import { DELETE_BATCH, type BucketGateway, type DeleteFailure } from "../s3";
import type { S3ObjectInfo, ScannedFile } from "../types";
import { objectsAt } from "./bucket-objects";
import type { ConnectedBucket } from "./connect-bucket";
import type { RunContext } from "./context";
import type { MovedRun } from "./move-stage";
import type { VerifiedRun } from "./verify-stage";

export async function invalidateStage(
  ctx: RunContext,
  bucket: ConnectedBucket,
  verified: VerifiedRun,
  moved: MovedRun,
  /**
   * With aws beside the moves (early-aws.ts) this runs twice: before aws, for the files no move touches
   * (their keys hold now what they will hold after the moves), and after the moves for the rest, with the
   * temporary keys.
   */
  scope: { files?: (path: string) => boolean; temporary?: boolean } = {},
): Promise<MovedRun> {
  if (ctx.dryRun) return moved;
  const { gateway } = bucket;
  const signal = ctx.options.signal;
  const leftAlone = new Set([...moved.pending.flatMap((m) => [m.from, m.to]), ...(moved.copied ?? [])]);
  // Only a sync has an aws run to upload what is deleted here; `moves` leaves such keys to the next sync.
  let files = ctx.options.command === "sync" ? filesToCheck(verified.plan, moved.outcomes, leftAlone) : [];
  if (scope.files) files = files.filter((f) => scope.files!(f.path));
  let state: ((key: string) => KeyState) | undefined;
  if (files.length > 0) {
    state = verified.objects
      ? bucketAfterMoves(verified.objects, moved.outcomes)
      : await askBucket(gateway, ctx.prefix, files, signal);
  }
  const stale = state ? staleKeys(ctx.prefix, files, state) : [];
  const temporary =
    scope.temporary === false ? [] : await leftoverTempKeys(ctx, gateway, verified.objects, moved.leftoverTempKeys);
  if (stale.length === 0 && temporary.length === 0) return moved;

  const failures = await deleteAll(gateway, [...stale, ...temporary], signal);
  const failed = new Set(failures.map((f) => f.key));
  const cleared = stale.filter((k) => !failed.has(k));
  if (cleared.length > 0) {
    ctx.notice(
      `${cleared.length} object(s) held other bytes than the file now at their path, of the same size ` +
        `(moves that were not made, or files replaced): deleted, so that aws uploads those files (${sample(cleared)}).`,
    );
  }
  const keptTemporary = temporary.filter((k) => failed.has(k));
  if (keptTemporary.length > 0)
    ctx.notice(
      `${keptTemporary.length} temporary object(s) under ${tempFolder(ctx.prefix)} could not be removed; the next run tries again.`,
      "warning",
    );
  const kept = stale.filter((k) => failed.has(k));
  if (kept.length === 0) return moved;
  ctx.report.status = "partial";
  ctx.notice(
    `${kept.length} object(s) that may hold other bytes than their files could not be deleted, so aws may keep ` +
      `them; they are not recorded as synced and the next sync tries again: ` +
      failures
        .filter((f) => !keptTemporary.includes(f.key))
        .slice(0, 5)
        .map((f) => `${f.key} (${f.message})`)
        .join(", "),
    "warning",
  );
  const notSynced = kept.map((k) => pathForKey(ctx.prefix, k)).filter((p): p is string => p !== null);
  return { ...moved, notSynced: [...(moved.notSynced ?? []), ...notSynced] };
}

/** What the bucket holds now at the files' keys, from HEADs or one listing. */
async function askBucket(
  gateway: BucketGateway,
  prefix: string,
  files: readonly ScannedFile[],
  signal?: AbortSignal,
): Promise<(key: string) => KeyState> {
  const objects = await objectsAt(
    gateway,
    prefix,
    files.map((f) => keyFor(prefix, f.path)),
    signal,
  );
  return (key) => objects.get(key) ?? "absent";
}

/**
 * Temporary keys nobody will read again: this batch's leftovers, and those of earlier runs under the
 * prefix's temporary folder, except those of a journal still on the volume (left alone for another target).
 */
async function leftoverTempKeys(
  ctx: RunContext,
  gateway: BucketGateway,
  listing: ReadonlyMap<string, S3ObjectInfo> | undefined,
  fromThisBatch: readonly string[],
): Promise<string[]> {
  const folder = tempFolder(ctx.prefix);
  const earlier = listing
    ? [...listing.keys()].filter((k) => k.startsWith(folder))
    : (await gateway.listAll(folder, { signal: ctx.options.signal })).map((o) => o.key);
  const kept = await MoveJournal.peekRunId(ctx.target.localPath);
  const owned = kept ? `${folder}${kept}/` : undefined;
  return [...new Set([...fromThisBatch, ...earlier])].filter((k) => !owned || !k.startsWith(owned));
}

async function deleteAll(gateway: BucketGateway, keys: string[], signal?: AbortSignal): Promise<DeleteFailure[]> {
  const batches: string[][] = [];
  for (let i = 0; i < keys.length; i += DELETE_BATCH) batches.push(keys.slice(i, i + DELETE_BATCH));
  // The gateway's request limit bounds how many batches are in flight.
  return (await Promise.all(batches.map((batch) => gateway.deleteObjects(batch, { signal })))).flat();
}

function sample(keys: readonly string[]): string {
  return keys.length <= 3 ? keys.join(", ") : `${keys.slice(0, 3).join(", ")} and ${keys.length - 3} more`;
}
