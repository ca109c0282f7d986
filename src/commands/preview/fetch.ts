// Preview Moves' fetcher: a dry run of `moves` per mounted target (scan, plan, verify against S3; nothing
// changes), reduced to plain data that useCachedPromise can keep between launches.
import { basename } from "node:path";
import { REJECT_REASON_TEXT, runTarget, type MoveSummary, type Target } from "../../engine";
import {
  childEnv,
  configFailure,
  isMounted,
  oneAtATime,
  readConfig,
  readLastRun,
  wasmBinary,
  withSettings,
} from "../lib/engine";
import type { Settings } from "../lib/preferences";
import { failureOf, type Failure } from "../lib/toast";

export interface PreviewMove {
  from: string;
  to: string;
  fromKey: string;
  toKey: string;
  size: number;
  inode?: number;
  mtime?: number;
  storageClass?: string;
  /** ready: can be applied now; archived: needs a restore; unverifiable: S3 does not hold what the DB says. */
  kind: "ready" | "archived" | "unverifiable";
  reason?: string;
}

export interface PreviewTarget {
  target: Target;
  moves: PreviewMove[];
  error?: Failure;
  /** ISO time of the last run recorded in the volume's DB. */
  lastRunAt?: string;
}

export interface PreviewData {
  configFile: string;
  /** The config's own problem, when it cannot be used at all. */
  configError?: Failure;
  targets: PreviewTarget[];
  notMounted: string[];
}

/** Rename candidates that failed only because S3 does not match the DB: still worth showing. */
const UNVERIFIABLE_REASONS = new Set<string>([
  REJECT_REASON_TEXT["source-missing"],
  REJECT_REASON_TEXT["source-size-differs"],
  REJECT_REASON_TEXT["source-older-than-file"],
  REJECT_REASON_TEXT["source-etag-differs"],
]);

function previewMove(m: MoveSummary, prefix: string): PreviewMove | undefined {
  const keyOf = (rel: string) => (prefix ? `${prefix}/${rel}` : rel);
  const base = {
    from: m.from,
    to: m.to,
    fromKey: m.fromKey || keyOf(m.from),
    toKey: m.toKey || keyOf(m.to),
    size: m.size,
    inode: m.inode,
    mtime: m.mtime,
    storageClass: m.storageClass,
    reason: m.reason,
  };
  if (m.status === "planned") return { ...base, kind: "ready" };
  if (m.status === "pending-restore") return { ...base, kind: "archived" };
  if (m.status === "skipped" && m.reason && UNVERIFIABLE_REASONS.has(m.reason))
    return { ...base, kind: "unverifiable" };
  return undefined;
}

export async function previewTarget(target: Target, settings: Settings): Promise<PreviewTarget> {
  const wasm = await wasmBinary();
  const report = await oneAtATime(() =>
    runTarget(withSettings(target, settings), {
      command: "moves",
      dryRun: true,
      log: false,
      wasmBinary: wasm,
      env: childEnv(settings),
      commandName: "preview",
    }),
  );
  const lastRun = await readLastRun(target.localPath).catch(() => null);
  return {
    target,
    moves: report.moves.list
      .map((m) => previewMove(m, report.prefix))
      .filter((m): m is PreviewMove => m !== undefined)
      .sort((a, b) => a.to.localeCompare(b.to)),
    error: report.error
      ? { code: report.error.code, message: report.error.message, hint: report.error.hint }
      : undefined,
    lastRunAt: lastRun?.at,
  };
}

export async function fetchPreview(settings: Settings, only?: string): Promise<PreviewData> {
  const configFile = settings.configPath;
  const read = await readConfig(configFile);
  const configError = configFailure(read);
  if (configError || read.kind === "missing") return { configFile, configError, targets: [], notMounted: [] };
  const data: PreviewData = { configFile, targets: [], notMounted: [] };
  for (const target of read.config.targets) {
    if (only && target.name !== only) continue;
    if (!(await isMounted(target.localPath))) {
      data.notMounted.push(target.name);
      continue;
    }
    try {
      data.targets.push(await previewTarget(target, settings));
    } catch (error) {
      data.targets.push({ target, moves: [], error: failureOf(error) });
    }
  }
  return data;
}

export function moveTitle(move: PreviewMove): string {
  return basename(move.to);
}
