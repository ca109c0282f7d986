// The sync worker: the engine's CLI bundled into assets/worker.mjs, started detached with Raycast's own Node
// so that an upload of hours does not depend on the command staying alive (DESIGN.md "Long runs started
// from Raycast"). It writes its progress and results to a state file under the support folder; commands
// read that file and never start a second worker while one runs.
import { environment } from "@raycast/api";
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { SyncState } from "../../cli/state-file";
import { childEnv } from "./engine";
import type { Settings } from "./preferences";

export type { SyncState };

export function stateFilePath(): string {
  return path.join(environment.supportPath, "sync-state.json");
}

/** The worker's stdout and stderr (its JSON reports and any crash), for "Open Log" when no run log exists. */
export function workerLogPath(): string {
  return path.join(environment.supportPath, "sync-worker.log");
}

export async function readSyncState(file = stateFilePath()): Promise<SyncState | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as SyncState;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The state of a sync still running, or undefined. */
export async function runningSync(): Promise<SyncState | undefined> {
  const state = await readSyncState();
  return state && !state.done && isAlive(state.pid) ? state : undefined;
}

/** Starts `batch` in a detached worker and returns its pid. */
export function startWorker(settings: Settings, options: { only?: string[] } = {}): number {
  mkdirSync(environment.supportPath, { recursive: true });
  const args = [
    path.join(environment.assetsPath, "worker.mjs"),
    "batch",
    "--json",
    "--no-progress",
    "--state-file",
    stateFilePath(),
    "--config",
    settings.configPath,
    ...(settings.awsCliPath ? ["--aws-cli", settings.awsCliPath] : []),
    ...(options.only ?? []).flatMap((name) => ["--target", name]),
  ];
  const log = openSync(workerLogPath(), "a");
  try {
    const child = spawn(process.execPath, args, {
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

/** Polls the state file until the worker `pid` says it is done, or dies without saying so. */
export async function waitForSync(
  pid: number,
  options: { onProgress?: (state: SyncState) => void; intervalMs?: number } = {},
): Promise<SyncState> {
  for (;;) {
    const state = await readSyncState();
    const ours = state?.pid === pid ? state : undefined;
    if (ours) options.onProgress?.(ours);
    if (ours?.done) return ours;
    if (!isAlive(pid)) {
      // One last read: the worker may have finished between the read and the check.
      const last = await readSyncState();
      if (last?.pid === pid && last.done) return last;
      const now = new Date().toISOString();
      return {
        pid,
        startedAt: ours?.startedAt ?? now,
        updatedAt: now,
        phase: "done",
        progress: "Stopped",
        done: true,
        reports: ours?.reports ?? [],
        error: { code: "WORKER_STOPPED", message: "The sync worker stopped before it finished.", hint: "See its log." },
      };
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 400));
  }
}
