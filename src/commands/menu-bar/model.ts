// The menu bar's data and what it makes of it. It reads only small files and caches: the worker's state
// file, each target's last result, what Status and Preview Moves last found pending, and the scheduled
// sync's last decision; plus whether each volume is mounted (one stat). No scan, no DB, no S3.
import { stat } from "node:fs/promises";
import type { ResultsByTarget } from "../../cli/results-file";
import { finishedMessage, isRefused } from "../../cli/summary";
import { formatBytes } from "../../engine/format";
import type { Target } from "../../engine/types";
import { configFailure, readConfig, targetsOf } from "../lib/config";
import type { Failure } from "../lib/failure";
import { readPending, type Pending } from "../lib/pending";
import { counted } from "../lib/text";
import type { Settings } from "../lib/preferences";
import { currentSync, readLastResults, type CurrentSync } from "../lib/worker";
import { readScheduleState, type ScheduleState } from "../scheduled/state";
import { lastOutcome, outcomeTag, type Outcome } from "../status/outcome";

export interface MenuBarData {
  configFile: string;
  configError?: Failure;
  targets: { target: Target; mounted: boolean }[];
  sync?: CurrentSync;
  results: ResultsByTarget;
  pending: Record<string, Pending>;
  schedule?: ScheduleState;
}

async function isMounted(root: string): Promise<boolean> {
  try {
    return (await stat(root)).isDirectory();
  } catch {
    return false;
  }
}

export async function fetchMenuBar(settings: Settings): Promise<MenuBarData> {
  const read = await readConfig(settings.configPath);
  const [sync, results, schedule] = await Promise.all([currentSync(), readLastResults(), readScheduleState()]);
  const targets = await Promise.all(
    targetsOf(read).map(async (target) => ({ target, mounted: await isMounted(target.localPath) })),
  );
  return {
    configFile: settings.configPath,
    configError: configFailure(read),
    targets,
    sync,
    results,
    pending: readPending(),
    schedule,
  };
}

export type Overall = "running" | "failed" | "pending" | "synced";

export interface TargetView {
  target: Target;
  mounted: boolean;
  syncing: boolean;
  outcome?: Outcome;
  /** "Synced", "Failed", "Refused"… */
  tag: string;
  failed: boolean;
  refused: boolean;
  /** "12 moves · 40 uploads · 3 deletes" from the last Status or Preview after the last sync; else undefined. */
  pendingText?: string;
  hasPending: boolean;
  savedText?: string;
}

function pendingOf(p: Pending | undefined, outcome: Outcome | undefined): { text?: string; any: boolean } {
  // What was pending before the last sync finished is stale.
  const since = outcome && !outcome.error ? Date.parse(outcome.upToDateAt ?? outcome.at) : -Infinity;
  if (!p || Date.parse(p.at) <= since) return { any: false };
  const deletes = p.deletes ?? p.localDeletes ?? 0;
  const parts = [
    p.moves ? counted(p.moves, "move") : "",
    p.uploads ? counted(p.uploads, "upload") : "",
    deletes ? counted(deletes, "delete") : "",
  ].filter(Boolean);
  return parts.length ? { text: parts.join(" · "), any: true } : { text: "Up to date", any: false };
}

export function targetViews(data: MenuBarData): TargetView[] {
  const running = data.sync?.status === "running" ? data.sync.state : undefined;
  return data.targets.map(({ target, mounted }) => {
    const outcome = lastOutcome(null, data.results[target.name]);
    const refused = !!outcome?.error && isRefused({ error: outcome.error });
    const pending = pendingOf(data.pending[target.name], outcome);
    const saved = data.pending[target.name]?.bytesSavedTotal;
    return {
      target,
      mounted,
      syncing: running?.target === target.name,
      outcome,
      tag: outcomeTag(outcome),
      failed: outcome?.status === "failed" && !refused && outcome.error?.code !== "ABORTED",
      refused,
      pendingText: pending.text,
      hasPending: pending.any,
      savedText: saved ? `Saved by Moves: ${formatBytes(saved)}` : undefined,
    };
  });
}

export function overallState(data: MenuBarData, views = targetViews(data)): Overall {
  if (data.sync?.status === "running") return "running";
  const lastRun = data.sync?.state;
  const lastFailed =
    data.sync?.status === "interrupted" ||
    (lastRun?.done && !lastRun.stopped && finishedMessage(lastRun).failed) ||
    !!data.schedule?.error ||
    !!data.configError;
  if (lastFailed || views.some((v) => v.failed || v.refused)) return "failed";
  if (views.some((v) => v.hasPending)) return "pending";
  return "synced";
}
