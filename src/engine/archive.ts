// Archived objects (DESIGN.md): moves whose source is in Glacier / Deep Archive / an Intelligent-Tiering
// archive tier wait in the DB's pending_restores until a restore completes; the next run then moves them.
import { openStateDb, type PendingRestore, type StateDb } from "./db";
import { SmartSyncError } from "./errors";
import { normalizePrefix } from "./keys";
import { acquireVolumeLock } from "./lock";
import type { ObjectsByKey } from "./listed-objects";
import { BucketGateway, getS3Client, type RestoreTier } from "./s3";
import type { Plan, PlannedMove } from "./planner";
import type { Target } from "./types";

export type RestoreTierName = "bulk" | "standard" | "expedited";

/** What S3 documents for each tier (hours until the restored copy is readable). */
export const RESTORE_TIME: Record<string, Record<RestoreTierName, string | null>> = {
  GLACIER: { expedited: "1–5 minutes", standard: "3–5 hours", bulk: "5–12 hours" },
  DEEP_ARCHIVE: { expedited: null, standard: "within 12 hours", bulk: "within 48 hours" },
  INTELLIGENT_TIERING: {
    expedited: null,
    standard: "3–5 hours (Archive Access), within 12 hours (Deep Archive Access)",
    bulk: "5–12 hours (Archive Access), within 48 hours (Deep Archive Access)",
  },
};

export interface RestoreItem {
  fromPath: string;
  toPath: string;
  srcKey: string;
  storageClass: string;
  /** not-started | in-progress | restored | failed | missing */
  state: "not-started" | "in-progress" | "restored" | "failed" | "missing";
  detail?: string;
  expiry?: string;
  expected?: string | null;
}

function gatewayFor(target: Target): BucketGateway {
  return new BucketGateway(
    getS3Client({
      profile: target.profile,
      region: target.region,
      endpointUrl: target.endpointUrl,
      forcePathStyle: target.forcePathStyle,
    }),
    target.bucket,
    { endpoint: target.endpointUrl, profile: target.profile },
  );
}

async function withPendingRestores<T>(
  target: Target,
  options: { wasmBinary?: Uint8Array; write: boolean },
  work: (pending: PendingRestore[], save: (r: PendingRestore) => void) => Promise<T>,
): Promise<T> {
  const lock = options.write ? await acquireVolumeLock(target.localPath, { command: "restore" }) : undefined;
  try {
    const { db } = await openStateDb({
      volumeRoot: target.localPath,
      wasmBinary: options.wasmBinary,
      readOnly: !options.write,
    });
    try {
      const recorded = db.getTarget();
      if (
        !recorded ||
        recorded.bucket !== target.bucket ||
        normalizePrefix(recorded.prefix) !== normalizePrefix(target.prefix)
      ) {
        throw new SmartSyncError(
          "USAGE",
          `${target.localPath} has no state for s3://${target.bucket}/${normalizePrefix(target.prefix)}.`,
          {
            hint: "Run a sync of this target first; restores are for moves it found waiting on archived objects.",
          },
        );
      }
      const result = await work(db.pendingRestores(), (r) => db.upsertPendingRestore(r));
      if (options.write) await db.save();
      return result;
    } finally {
      db.close();
    }
  } finally {
    await lock?.release();
  }
}

/** Starts a restore for every pending move. Expedited is refused for Deep Archive, as S3 refuses it. */
export async function startRestores(
  target: Target,
  options: { tier?: RestoreTierName; days?: number; wasmBinary?: Uint8Array } = {},
): Promise<RestoreItem[]> {
  const tier = options.tier ?? "bulk";
  const days = options.days ?? 7;
  const gateway = gatewayFor(target);
  return withPendingRestores(target, { wasmBinary: options.wasmBinary, write: true }, async (pending, save) => {
    const items: RestoreItem[] = [];
    for (const r of pending) {
      const item: RestoreItem = {
        fromPath: r.fromPath,
        toPath: r.toPath,
        srcKey: r.srcKey,
        storageClass: r.storageClass,
        state: "in-progress",
      };
      if (!RESTORE_TIME[r.storageClass]) {
        // Not archived itself: a move onto the key of an archived object, which waits for that restore.
        item.state = "restored";
        item.detail = "waits for the restore of the archived object at its new key";
        items.push(item);
        continue;
      }
      item.expected = RESTORE_TIME[r.storageClass]?.[tier] ?? null;
      if (tier === "expedited" && item.expected === null) {
        item.state = "failed";
        item.detail = `Expedited retrieval is not available for ${r.storageClass}; use standard or bulk.`;
        items.push(item);
        continue;
      }
      const outcome = await gateway.restoreObject(r.srcKey, {
        tier: (tier[0].toUpperCase() + tier.slice(1)) as RestoreTier,
        days,
        storageClass: r.storageClass,
      });
      if (outcome === "already-restored" || outcome === "not-archived") item.state = "restored";
      item.detail = outcome;
      save({
        ...r,
        status: item.state === "restored" ? "restored" : "restoring",
        tier,
        days,
        requestedAt: new Date().toISOString(),
      });
      items.push(item);
    }
    return items;
  });
}

/** Each pending move's restore, as S3 reports it now (HEAD's x-amz-restore). */
export async function restoreStatus(target: Target, options: { wasmBinary?: Uint8Array } = {}): Promise<RestoreItem[]> {
  const gateway = gatewayFor(target);
  return withPendingRestores(target, { wasmBinary: options.wasmBinary, write: false }, async (pending) => {
    const items: RestoreItem[] = [];
    for (const r of pending) {
      const item: RestoreItem = {
        fromPath: r.fromPath,
        toPath: r.toPath,
        srcKey: r.srcKey,
        storageClass: r.storageClass,
        state: "not-started",
      };
      const head = await gateway.head(r.srcKey);
      if (head && !RESTORE_TIME[r.storageClass]) {
        item.state = "restored";
        item.detail = "waits for the restore of the archived object at its new key";
      } else if (!head) {
        item.state = "missing";
        item.detail = "the archived object is gone; the next sync uploads the file";
      } else if (head.restore?.ongoing) {
        item.state = "in-progress";
      } else if (head.restore && !head.restore.ongoing) {
        item.state = "restored";
        item.expiry = head.restore.expiry;
      } else if (r.status === "restoring") {
        // A restore was requested but S3 shows none: it expired or was never accepted.
        item.state = "failed";
        item.detail = "S3 shows no restore for this object; run restore again";
      }
      items.push(item);
    }
    return items;
  });
}

/**
 * The listing shows an archived object's class, not whether a restore completed or which Intelligent-
 * Tiering tier it sits in: HEAD those sources. Returns true when anything new was learnt.
 */
export async function refreshArchiveFacts(
  gateway: BucketGateway,
  plan: Plan,
  objects: ObjectsByKey,
  signal?: AbortSignal,
): Promise<boolean> {
  const keys = [...plan.archived, ...plan.moves.filter((m) => m.storageClass === "INTELLIGENT_TIERING")].map(
    (m) => m.fromKey,
  );
  let learnt = false;
  for (const key of keys) {
    const head = await gateway.head(key, { signal });
    const listed = objects.get(key);
    if (!head || !listed) continue;
    if (head.restore || head.archiveStatus) {
      objects.set(key, { ...listed, restore: head.restore, archiveStatus: head.archiveStatus });
      learnt = true;
    }
  }
  return learnt;
}

/** The DB's pending restores become exactly the moves waiting now, keeping what restores were started. */
export function recordPendingRestores(db: StateDb, archived: readonly PlannedMove[]): void {
  const pending = new Map(db.pendingRestores().map((r) => [r.fromPath, r]));
  for (const move of archived) {
    const existing = pending.get(move.from);
    pending.delete(move.from);
    db.upsertPendingRestore({
      fromPath: move.from,
      toPath: move.to,
      srcKey: move.fromKey,
      dstKey: move.toKey,
      storageClass: move.storageClass ?? "GLACIER",
      size: move.size,
      etag: move.etag ?? null,
      status: existing?.status ?? "archived",
      tier: existing?.tier ?? null,
      days: existing?.days ?? null,
      requestedAt: existing?.requestedAt ?? null,
    });
  }
  for (const stale of pending.keys()) db.removePendingRestore(stale);
}
