// Preview Moves' fetcher: `s3-smart-sync preview --json` in a child process (per target: a dry run of the
// moves, checked against S3; read-only, no lock, so it runs beside a sync), reduced to plain data that
// useCachedPromise keeps between launches.
import { basename } from "node:path";
import { deletesOf, type DeleteGuard } from "../../cli/results-file";
import type { PreviewLine } from "../../cli/preview";
import { REJECT_REASON_TEXT } from "../../engine/move-rules";
import type { MoveSummary } from "../../engine/report";
import type { Target } from "../../engine/types";
import { runCli } from "../lib/cli";
import { configFailure, readConfig, targetsOf } from "../lib/config";
import type { Failure } from "../lib/failure";
import { recordPending } from "../lib/pending";
import type { Settings } from "../lib/preferences";

export const MOVE_LIST_LIMIT = 1000;

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
  /** Moves of one chain, swap or cycle share a group and are applied together. */
  group?: number;
  /** What the move rests on: the recorded inode, that plus a content proof, or a content proof alone. */
  evidence?: MoveSummary["evidence"];
  proof?: MoveSummary["proof"];
  /** A server-side copy from an object that stays (the bucket already holds the file's content). */
  copy?: boolean;
  /** A copy from another target's object (a file moved between targets): made by the next batch sync. */
  fromTarget?: string;
  fromBucket?: string;
}

export interface PreviewTarget {
  target: Target;
  mounted: boolean;
  moves: PreviewMove[];
  /** Moves the dry run found, when the list above is capped. */
  movesTotal: number;
  bytesSaved: number;
  error?: Failure;
  notices: string[];
  /** ISO time of the last run recorded in the volume's DB. */
  lastRunAt?: string;
  /** What the sync would delete, once the engine reports it. */
  deletes?: DeleteGuard;
}

export interface PreviewData {
  configFile: string;
  /** The config's own problem, when it cannot be used at all. */
  configError?: Failure;
  targets: PreviewTarget[];
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
    group: m.group,
    evidence: m.evidence,
    proof: m.proof,
    copy: m.copy,
    fromTarget: m.fromTarget,
    fromBucket: m.fromBucket,
  };
  if (m.status === "planned") return { ...base, kind: "ready" };
  if (m.status === "pending-restore") return { ...base, kind: "archived" };
  if (m.status === "skipped" && m.reason && UNVERIFIABLE_REASONS.has(m.reason))
    return { ...base, kind: "unverifiable" };
  return undefined;
}

function previewTarget(target: Target, line: PreviewLine | undefined): PreviewTarget {
  const notMounted = !line || (line.status === "skipped" && line.error?.code === "VOLUME_MISSING");
  const moves = (line?.moves.list ?? [])
    .map((m) => previewMove(m, line!.prefix))
    .filter((m): m is PreviewMove => m !== undefined)
    .sort((a, b) => a.to.localeCompare(b.to));
  const hidden = (line?.listTotal ?? 0) - (line?.moves.list.length ?? 0);
  return {
    target,
    mounted: !notMounted,
    moves,
    movesTotal: moves.length + Math.max(0, hidden),
    bytesSaved: line?.bytesSaved ?? 0,
    error:
      !notMounted && line?.error
        ? { code: line.error.code, message: line.error.message, hint: line.error.hint }
        : undefined,
    notices: line?.notices ?? [],
    lastRunAt: line?.lastRun?.at,
    deletes: line ? deletesOf(line) : undefined,
  };
}

/** `signal` ends the child process (the view closed, or a newer refresh started). */
export async function fetchPreview(settings: Settings, only?: string, signal?: AbortSignal): Promise<PreviewData> {
  const configFile = settings.configPath;
  const read = await readConfig(configFile);
  const configError = configFailure(read);
  if (configError) return { configFile, configError, targets: [] };
  const targets = targetsOf(read).filter((t) => !only || t.name === only);
  if (targets.length === 0) return { configFile, targets: [] };
  const args = ["preview", "--limit", String(MOVE_LIST_LIMIT), ...(only ? ["--target", only] : [])];
  const { lines } = await runCli<PreviewLine>(settings, args, { signal });
  const byName = new Map(lines.map((l) => [l.target, l]));
  const data = { configFile, targets: targets.map((t) => previewTarget(t, byName.get(t.name))) };
  recordPending(
    Object.fromEntries(
      data.targets
        .filter((t) => t.mounted && !t.error)
        .map((t) => [t.target.name, { moves: t.movesTotal, ...(t.deletes ? { deletes: t.deletes.count } : {}) }]),
    ),
  );
  return data;
}

export function moveTitle(move: PreviewMove): string {
  return basename(move.to);
}

/** The other moves applied with this one (its chain, swap or cycle). */
export function dependentMoves(move: PreviewMove, moves: readonly PreviewMove[]): PreviewMove[] {
  if (move.group === undefined) return [];
  return moves.filter((m) => m !== move && m.kind === "ready" && m.group === move.group);
}
