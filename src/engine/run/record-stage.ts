// Stage 10, record: what the DB may believe after this run (DESIGN.md), the volume's identity on the volume
// and in this user's state folder, and the run's summary. Saved atomically.
import { randomUUID } from "node:crypto";
import path from "node:path";
import type { AwsSyncResult } from "../aws-cli";
import type { StateDb } from "../db";
import { recordChanges } from "../recorder";
import type { TargetReport } from "../report";
import { writeTargetMemory } from "../user-state";
import { objectsAt } from "./bucket-objects";
import type { ConnectedBucket } from "./connect-bucket";
import type { RunContext } from "./context";
import type { MovedRun } from "./move-stage";
import { VOLUME_ID_META, VOLUME_META, type OpenedVolume } from "./open-volume";
import type { VolumeScan } from "./scan-stage";

export async function recordStage(
  ctx: RunContext,
  volume: OpenedVolume,
  bucket: ConnectedBucket,
  scan: VolumeScan,
  moved: MovedRun,
  result: AwsSyncResult | undefined,
): Promise<void> {
  const { db } = volume;
  const { report } = ctx;
  ctx.phase("record");
  const synced =
    result?.outcome === "ok" ? "synced" : result?.outcome === "skipped-files" ? "synced-with-skips" : "not-synced";
  // Without a completed aws run (moves only, or aws failed) the rows are the old ones plus the moves,
  // already applied: nothing to rewrite, which keeps a no-change pass over a big volume cheap.
  if (synced !== "not-synced" || volume.baseline) {
    // The objects aws uploaded: the only ETags the DB may learn from aws, because only these are known to
    // hold the file's content (a same-size object aws skipped may hold other bytes).
    const uploaded =
      synced !== "not-synced" && result && result.uploads.length > 0
        ? await objectsAt(
            bucket.gateway,
            ctx.prefix,
            result.uploads.map((u) => u.key),
            ctx.options.signal,
          )
        : undefined;
    // Rows streamed in path order beside the scan: only the rows that differ are written.
    db.writeFileChanges(
      recordChanges({
        previous: db.eachFile(),
        scan: scan.files,
        outcome: synced,
        // Files whose stale object could not be deleted are not synced either: aws may have kept it.
        skippedPaths: [...(result?.skippedPaths ?? []), ...(moved.notSynced ?? [])],
        pendingMoves: moved.pending,
        baseline: volume.baseline,
        objects: uploaded,
        prefix: ctx.prefix,
        doubtful: moved.doubtful,
        proven: moved.proven,
        now: ctx.now().getTime() / 1000,
      }),
    );
    db.pruneHashes();
  }
  if (
    report.moves.failed > 0 ||
    result?.outcome === "failed" ||
    result?.outcome === "skipped-files" ||
    scan.skipped.some((s) => s.reason === "invalid-utf8-name") ||
    moved.pending.length > 0
  )
    report.status = "partial";
  const dbId = rememberVolume(db, volume, ctx.now());
  recordRunMeta(db, report, ctx.startedAt);
  await db.save();
  await writeTargetMemory(
    ctx.target,
    {
      volume: { uuid: volume.facts.uuid, mountPoint: volume.facts.isMountPoint, fsType: volume.facts.fsType, dbId },
      lastSyncAt: ctx.startedAt.toISOString(),
      fileCount: db.fileCount(),
    },
    ctx.options.env,
  ).catch((error: unknown) =>
    ctx.notice(
      `Could not remember this volume in the state folder: ${error instanceof Error ? error.message : error}`,
      "warning",
    ),
  );
}

/** The volume's identity, kept in its own DB (beside the copy in the user's state folder). */
function rememberVolume(db: StateDb, volume: OpenedVolume, now: Date): string {
  const dbId = db.getMeta(VOLUME_ID_META) ?? randomUUID();
  db.setMeta(VOLUME_ID_META, dbId);
  const { uuid, isMountPoint, fsType } = volume.facts;
  db.setMeta(VOLUME_META, JSON.stringify({ uuid, mountPoint: isMountPoint, fsType, recordedAt: now.toISOString() }));
  return dbId;
}

export function recordRunMeta(db: StateDb, report: TargetReport, startedAt: Date): void {
  const total = Number(db.getMeta("bytes_saved_total") ?? "0") + report.bytesSaved;
  db.setMeta("bytes_saved_total", String(total));
  db.setMeta(
    "last_run",
    JSON.stringify({
      at: startedAt.toISOString(),
      command: report.command,
      status: report.status,
      moves: report.moves.done,
      bytesSaved: report.bytesSaved,
      uploads: report.aws?.uploads ?? 0,
      deletes: report.aws?.deletes ?? 0,
      logFile: report.logFile ? path.basename(report.logFile) : undefined,
    }),
  );
}
