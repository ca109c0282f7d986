// Status' fetcher: per target, the volume's pending changes from a scan and its DB (no S3, no lock), its
// last run, and the sync the worker is running, if any.
import { volumeStatus, type LastRun, type Target } from "../../engine";
import { configFailure, isMounted, readConfig, wasmBinary } from "../lib/engine";
import type { Settings } from "../lib/preferences";
import { failureOf, type Failure } from "../lib/toast";
import { runningSync, type SyncState } from "../lib/worker";

/** Drill-down lists are capped: a first sync of a big volume lists every file as new. */
export const FILE_LIST_LIMIT = 500;

export interface TargetRow {
  target: Target;
  mounted: boolean;
  lastRun: LastRun | null;
  counts: { new: number; modified: number; deleted: number; moved: number };
  pendingRestores: { from: string; to: string; status: string; storageClass: string }[];
  bytesSavedTotal: number;
  files: { new: string[]; modified: string[]; deleted: string[]; moved: { from: string; to: string }[] };
  error?: Failure;
}

export interface StatusData {
  configFile: string;
  configError?: Failure;
  rows: TargetRow[];
  running?: SyncState;
}

function emptyRow(target: Target, mounted: boolean): TargetRow {
  return {
    target,
    mounted,
    lastRun: null,
    counts: { new: 0, modified: 0, deleted: 0, moved: 0 },
    pendingRestores: [],
    bytesSavedTotal: 0,
    files: { new: [], modified: [], deleted: [], moved: [] },
  };
}

export async function targetRow(target: Target): Promise<TargetRow> {
  if (!(await isMounted(target.localPath))) return emptyRow(target, false);
  try {
    const status = await volumeStatus({
      localPath: target.localPath,
      excludes: target.excludes,
      prefix: target.prefix,
      wasmBinary: await wasmBinary(),
    });
    const { plan } = status;
    return {
      target,
      mounted: true,
      lastRun: status.lastRun,
      counts: {
        new: plan.newFiles.length,
        modified: plan.modified.length,
        deleted: plan.deleted.length,
        moved: plan.moves.length + plan.archived.length,
      },
      pendingRestores: status.pendingRestores.map((r) => ({
        from: r.fromPath,
        to: r.toPath,
        status: r.status,
        storageClass: r.storageClass,
      })),
      bytesSavedTotal: status.bytesSavedTotal,
      files: {
        new: plan.newFiles.slice(0, FILE_LIST_LIMIT).map((f) => f.path),
        modified: plan.modified.slice(0, FILE_LIST_LIMIT).map((f) => f.path),
        deleted: plan.deleted.slice(0, FILE_LIST_LIMIT).map((f) => f.path),
        moved: [...plan.moves, ...plan.archived].slice(0, FILE_LIST_LIMIT).map((m) => ({ from: m.from, to: m.to })),
      },
    };
  } catch (error) {
    return { ...emptyRow(target, true), error: failureOf(error) };
  }
}

export async function fetchStatus(settings: Settings): Promise<StatusData> {
  const configFile = settings.configPath;
  const running = await runningSync();
  const read = await readConfig(configFile);
  const configError = configFailure(read);
  if (configError || read.kind === "missing") return { configFile, running, rows: [], configError };
  const rows: TargetRow[] = [];
  for (const target of read.config.targets) rows.push(await targetRow(target));
  return { configFile, running, rows };
}
