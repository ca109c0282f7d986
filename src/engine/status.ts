// Pending changes of a volume since its last sync, from the scan and the DB alone: no S3, no lock.
import { openStateDb, type PendingRestore } from "./db";
import { localExcludeMatcher } from "./aws-filters";
import { normalizePrefix } from "./keys";
import { planRun, type Plan } from "./planner";
import { scanVolume } from "./scanner";
import type { SkippedEntry } from "./types";

export interface LastRun {
  at: string;
  command: string;
  status: string;
  moves: number;
  bytesSaved: number;
  uploads: number;
  deletes: number;
  logFile?: string;
}

export interface VolumeStatus {
  localPath: string;
  /** What the DB describes; null before the first sync. */
  target: { bucket: string; prefix: string } | null;
  lastRun: LastRun | null;
  bytesSavedTotal: number;
  plan: Plan;
  pendingRestores: PendingRestore[];
  skipped: SkippedEntry[];
  notices: string[];
}

export interface StatusOptions {
  localPath: string;
  excludes?: string[];
  /** The prefix the keys in the plan use; defaults to the one the DB remembers. */
  prefix?: string;
  wasmBinary?: Uint8Array;
  signal?: AbortSignal;
  onProgress?: (files: number) => void;
}

export async function volumeStatus(options: StatusOptions): Promise<VolumeStatus> {
  // What a sync's aws would leave out (aws-filters.ts): the scan and the plan see the same files as a run.
  const isExcluded = localExcludeMatcher(options.localPath, options.excludes ?? []);
  const scan = await scanVolume({
    root: options.localPath,
    isExcluded,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  const { db, notices } = await openStateDb({
    volumeRoot: options.localPath,
    wasmBinary: options.wasmBinary,
    readOnly: true,
  });
  try {
    const target = db.getTarget();
    const prefix = normalizePrefix(options.prefix ?? target?.prefix ?? "");
    const plan = planRun({
      scan: scan.files,
      records: db.allFiles(),
      prefix,
      isExcluded,
      skippedMoves: db.skippedMoves().map((s) => ({ from: s.fromPath, to: s.toPath })),
    });
    const lastRunText = db.getMeta("last_run");
    return {
      localPath: options.localPath,
      target,
      lastRun: lastRunText ? (JSON.parse(lastRunText) as LastRun) : null,
      bytesSavedTotal: Number(db.getMeta("bytes_saved_total") ?? 0),
      plan,
      pendingRestores: db.pendingRestores(),
      skipped: scan.skipped,
      notices,
    };
  } finally {
    db.close();
  }
}
