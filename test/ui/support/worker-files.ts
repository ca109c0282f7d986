// The files the worker leaves in Raycast's support folder, as src/cli/state-file.ts and results-file.ts
// write them, for tests that start a command on a state the worker left behind (a refusal, a worker
// that died mid-sync) without running one.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { SyncState } from "../../../src/cli/state-file";
import { environment } from "../../mocks/raycast-api";

export const stateFile = () => path.join(environment.supportPath, "sync-state.json");

/** A target's report after a run the guards refused (or that failed with `error`). */
export function failedReport(
  target: string,
  localPath: string,
  bucket: string,
  error: object,
  more: { deletes?: object; startedAt?: string } = {},
) {
  return {
    target,
    localPath,
    bucket,
    prefix: "",
    command: "sync",
    dryRun: false,
    status: "failed",
    error,
    ...(more.deletes ? { deletes: more.deletes } : {}),
    notices: [],
    moves: { done: 0, failed: 0, skipped: 0, pendingRestore: 0, list: [] },
    bytesSaved: 0,
    counts: { new: 0, modified: 0, deleted: 0, unchanged: 0 },
    startedAt: more.startedAt ?? new Date().toISOString(),
    durationMs: 900,
  };
}

/** A finished worker's state with these reports. */
export function finishedState(reports: object[], at = new Date().toISOString(), exitCode = 3): SyncState {
  return {
    pid: 1,
    workerStartedAt: at,
    startedAt: at,
    updatedAt: at,
    heartbeatAt: at,
    finishedAt: at,
    phase: "done",
    progress: "Done",
    done: true,
    reports,
    uploaded: {},
    unchanged: [],
    exitCode,
  } as unknown as SyncState;
}

/** A worker that was uploading for `target` and whose last heartbeat is `at`. */
export function uploadingState(pid: number, target: string, at: string, more: Partial<SyncState> = {}): SyncState {
  return {
    pid,
    workerStartedAt: at,
    startedAt: at,
    updatedAt: at,
    heartbeatAt: at,
    phase: "aws",
    target,
    progress: `${target} · uploading 35% of 3.4 GB`,
    done: false,
    reports: [],
    uploaded: {},
    unchanged: [],
    ...more,
  } as unknown as SyncState;
}

export function writeState(state: SyncState): void {
  mkdirSync(environment.supportPath, { recursive: true });
  writeFileSync(stateFile(), JSON.stringify(state));
}
