// The sync worker: the engine's CLI bundle (assets/worker.mjs) running `batch`, started detached with
// Raycast's own Node so that an upload of hours does not depend on the command staying alive (DESIGN.md
// "Long runs started from Raycast"). It writes its progress and results to a state file under the support
// folder, with a heartbeat; commands and the menu bar read that file, never start a second worker while
// one runs, and treat a state whose worker is gone or silent as interrupted (it blocks nothing).
import { environment } from "@raycast/api";
import { spawn } from "node:child_process";
import { appendFileSync, closeSync, mkdirSync, openSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { readResults, RESULTS_FILE_NAME, type ResultsByTarget } from "../../cli/results-file";
import { isAlive, workerStatus, type SyncState, type WorkerStatus } from "../../cli/state-file";
import { childEnv, settingsArgs, workerScript } from "./cli";
import type { Settings } from "./preferences";

export type { SyncState, WorkerStatus };

/** A run shorter than this reports through the command's HUD; a longer one through the worker's notification. */
export const QUICK_RESULT_S = 8;

export function stateFilePath(): string {
  return path.join(environment.supportPath, "sync-state.json");
}

/** The worker's stdout and stderr (its JSON reports and any crash), for "Open Log" when no run log exists. */
export function workerLogPath(): string {
  return path.join(environment.supportPath, "sync-worker.log");
}

export async function readSyncState(file = stateFilePath()): Promise<SyncState | undefined> {
  try {
    const state = JSON.parse(await readFile(file, "utf8")) as SyncState;
    return state && typeof state.pid === "number"
      ? { ...state, uploaded: state.uploaded ?? {}, unchanged: state.unchanged ?? [] }
      : undefined;
  } catch {
    return undefined;
  }
}

export function readLastResults(): Promise<ResultsByTarget> {
  return readResults(path.join(environment.supportPath, RESULTS_FILE_NAME));
}

export interface CurrentSync {
  state: SyncState;
  status: WorkerStatus;
}

/** The last worker's state and what to make of it (running, finished, interrupted); undefined before any. */
export async function currentSync(now = Date.now()): Promise<CurrentSync | undefined> {
  const state = await readSyncState();
  return state && { state, status: workerStatus(state, { now }) };
}

/** The state of a sync still running (alive, heartbeat fresh), or undefined. */
export async function runningSync(): Promise<SyncState | undefined> {
  const current = await currentSync();
  return current?.status === "running" ? current.state : undefined;
}

export interface WorkerOptions {
  /** Only these targets; every target by default. */
  only?: string[];
  /** Confirmed by the user after a DELETES_REFUSED: the run may delete more than the cap. */
  allowDeletes?: boolean;
  /** Sync only volumes that changed since their last sync (scheduled runs). */
  ifChanged?: boolean;
  /** Keep the Mac from idle sleep while it runs (syncs the user started). */
  keepAwake?: boolean;
  notifyAfter?: number;
  notifyFailures?: boolean;
}

export function workerArgs(settings: Settings, options: WorkerOptions = {}): string[] {
  return [
    "batch",
    "--json",
    "--no-progress",
    "--state-file",
    stateFilePath(),
    ...settingsArgs(settings),
    ...(options.only ?? []).flatMap((name) => ["--target", name]),
    ...(options.allowDeletes ? ["--allow-deletes"] : []),
    ...(options.ifChanged ? ["--if-changed"] : []),
    ...(options.keepAwake ? ["--keep-awake"] : []),
    ...(options.notifyAfter !== undefined ? ["--notify-after", String(options.notifyAfter)] : []),
    ...(options.notifyFailures ? ["--notify-failures"] : []),
  ];
}

/** Starts `batch` in a detached worker and returns its pid. The log says what was started, and when. */
export function startWorker(settings: Settings, options: WorkerOptions = {}): number {
  mkdirSync(environment.supportPath, { recursive: true });
  const args = workerArgs(settings, options);
  appendFileSync(workerLogPath(), `--- ${new Date().toISOString()} started: ${args.join(" ")}\n`);
  const log = openSync(workerLogPath(), "a");
  try {
    const child = spawn(process.execPath, [workerScript(), ...args], {
      detached: true,
      stdio: ["ignore", log, log],
      env: childEnv(settings),
    });
    child.unref();
    if (child.pid === undefined) throw new Error(`Could not start ${process.execPath} for the sync worker.`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/**
 * Asks the running worker to stop (SIGTERM: it finishes the requests in flight, journals its moves and
 * records its state). Only a worker whose heartbeat is fresh is signalled, so a pid the system gave to
 * another process since is never touched. Returns whether a signal was sent.
 */
export function stopSync(state: SyncState): boolean {
  if (workerStatus(state) !== "running") return false;
  try {
    process.kill(state.pid, "SIGTERM");
    return true;
  } catch {
    return false;
  }
}

/** A stand-in for a worker that died without finishing its state (killed, crashed, the Mac restarted). */
function interrupted(pid: number, last: SyncState | undefined): SyncState {
  const now = new Date().toISOString();
  return {
    pid,
    workerStartedAt: last?.workerStartedAt ?? now,
    startedAt: last?.startedAt ?? now,
    updatedAt: now,
    heartbeatAt: last?.heartbeatAt ?? now,
    finishedAt: now,
    phase: "done",
    progress: "Interrupted",
    done: true,
    reports: last?.reports ?? [],
    uploaded: last?.uploaded ?? {},
    unchanged: last?.unchanged ?? [],
    error: {
      code: "WORKER_STOPPED",
      message: "The sync worker stopped before it finished.",
      hint: "See its log; Retry syncs again.",
    },
  };
}

/**
 * Polls the state file until the worker `pid` is done, dies without saying so, or `untilMs` passes
 * (then resolves undefined: the run goes on without the caller).
 */
export async function waitForSync(
  pid: number,
  options: { onProgress?: (state: SyncState) => void; intervalMs?: number; untilMs?: number } = {},
): Promise<SyncState | undefined> {
  const deadline = options.untilMs === undefined ? Infinity : Date.now() + options.untilMs;
  let last: SyncState | undefined;
  for (;;) {
    const state = await readSyncState();
    const ours = state?.pid === pid ? state : undefined;
    if (ours) {
      last = ours;
      options.onProgress?.(ours);
      if (ours.done) return ours;
    }
    if (last ? workerStatus(last) === "interrupted" : !isAlive(pid)) {
      // One last read: the worker may have finished between the read and the check.
      const final = await readSyncState();
      if (final?.pid === pid && final.done) return final;
      return interrupted(pid, last);
    }
    if (Date.now() >= deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 300));
  }
}
