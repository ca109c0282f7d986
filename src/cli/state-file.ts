// `batch --state-file <file>`: one more consumer of engine events. It keeps a small JSON file saying where a
// run is and how it ended, for front ends that do not own the run (Raycast starts the batch as a detached
// worker and reads this file for its HUD, Status and the menu bar).
//
// Decisions:
// - Written atomically (temp file + rename): readers poll it and must never see half a file.
// - Progress writes are throttled (one per `intervalMs`); target starts and ends, and the end of the run,
//   are written at once, so a reader never misses a result.
// - A heartbeat is written every `heartbeatMs` while the worker lives. A reader that finds the worker's pid
//   gone, or the heartbeat old, treats the run as interrupted (a crash, a kill, a reboot) instead of letting
//   a dead run block every future sync.
// - Reports keep their figures and errors but not their move lists (a big reorganisation lists thousands).
// - Bytes uploaded are counted here, from aws's upload lines and the files' sizes: the report counts files.
import { stat } from "node:fs/promises";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../engine/atomic-write";
import { SmartSyncError } from "../engine/errors";
import type { EngineEvent, Phase } from "../engine/events";
import type { TargetReport } from "../engine/report";
import { EXIT } from "./output";
import { RunProgress } from "./progress-text";
import { deletesOf, recordChecked, recordResults, resultsFileFor } from "./results-file";

export interface UploadTally {
  files: number;
  bytes: number;
}

export interface SyncState {
  /** The process running the batch: a reader checks it is alive before believing `done: false`. */
  pid: number;
  /** When that process started: with the pid it names the worker. */
  workerStartedAt: string;
  startedAt: string;
  updatedAt: string;
  /** Refreshed every few seconds while the worker lives (see `workerStatus`). */
  heartbeatAt: string;
  finishedAt?: string;
  phase: Phase | "starting" | "done";
  /** The target being synced, if any. */
  target?: string;
  /** One line for a toast or the menu bar: "Vault · moving 12/40", "Vault · uploading 35% of 3.4 GB". */
  progress: string;
  /** How far the current step is, 0–1, when it can be told (moves, aws's upload). */
  fraction?: number;
  done: boolean;
  /** The worker was asked to stop (SIGTERM, Ctrl-C) and did. */
  stopped?: boolean;
  /** The targets the run was asked for (all when absent). */
  only?: string[];
  /** One per finished target, in order; `moves.list` keeps only failed moves (at most 20). */
  reports: TargetReport[];
  /** Files and bytes aws uploaded, per target. */
  uploaded: Record<string, UploadTally>;
  /** Targets `--if-changed` found without local changes, so not synced. */
  unchanged: string[];
  exitCode?: number;
  /** Why the whole batch failed before or outside any target (config missing or invalid…). */
  error?: { code: string; message: string; hint?: string };
  /** The notification the worker sent at the end (`--notify-after`, `--notify-failures`). */
  notification?: { title: string; message: string; sent: boolean };
}

export const HEARTBEAT_MS = 5_000;
/** A heartbeat older than this means the worker is gone (it writes one every HEARTBEAT_MS). */
export const STALE_AFTER_MS = 60_000;

export type WorkerStatus = "running" | "finished" | "interrupted";

/**
 * What a reader should make of a state: finished; running (the worker is alive and its heartbeat fresh);
 * or interrupted (not done, but the worker is gone or silent), which must not block a new sync.
 */
export function workerStatus(
  state: Pick<SyncState, "done" | "pid" | "heartbeatAt" | "updatedAt">,
  options: { now?: number; isAlive?: (pid: number) => boolean } = {},
): WorkerStatus {
  if (state.done) return "finished";
  const now = options.now ?? Date.now();
  const beat = Date.parse(state.heartbeatAt ?? state.updatedAt);
  if (!Number.isFinite(beat) || now - beat > STALE_AFTER_MS) return "interrupted";
  return (options.isAlive ?? isAlive)(state.pid) ? "running" : "interrupted";
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface StateFileOptions {
  intervalMs?: number;
  heartbeatMs?: number;
  pid?: number;
  now?: () => Date;
  only?: string[];
  /** Aborted when the worker is asked to stop: the final state then says `stopped`. */
  signal?: AbortSignal;
}

function slim(report: TargetReport): TargetReport {
  const failed = report.moves.list.filter((m) => m.status === "failed" || m.status === "blocked").slice(0, 20);
  return { ...report, moves: { ...report.moves, list: failed } };
}

export class StateFileWriter {
  readonly state: SyncState;
  private readonly intervalMs: number;
  private readonly now: () => Date;
  private readonly signal?: AbortSignal;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly heartbeatMs: number;
  private chain: Promise<void> = Promise.resolve();
  private sizes: Promise<unknown>[] = [];
  private results: Promise<unknown>[] = [];
  private readonly progress = new RunProgress();

  constructor(
    /** Without a file the state is only kept in memory (for the end-of-run notification). */
    readonly file: string | undefined,
    options: StateFileOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 500;
    this.heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
    this.now = options.now ?? (() => new Date());
    this.signal = options.signal;
    const at = this.now().toISOString();
    this.state = {
      pid: options.pid ?? process.pid,
      workerStartedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
      startedAt: at,
      updatedAt: at,
      heartbeatAt: at,
      phase: "starting",
      progress: "Starting",
      done: false,
      only: options.only,
      reports: [],
      uploaded: {},
      unchanged: [],
    };
  }

  /** Creates the folder, writes the first state and starts the heartbeat. */
  async begin(): Promise<void> {
    if (!this.file) return;
    await mkdir(path.dirname(this.file), { recursive: true });
    await this.flush();
    this.heartbeat = setInterval(() => void this.flush(), this.heartbeatMs);
    this.heartbeat.unref();
  }

  readonly onEvent = (event: EngineEvent): void => {
    const text = this.progress.update(event);
    if (text !== null) this.state.progress = text;
    if (event.type === "phase") this.state.phase = event.phase;
    this.state.fraction = this.progress.fraction;
    // A batch prepares every target before it executes any: the target is the one this event is about.
    if (event.type !== "target-end") this.state.target = event.target;
    if (event.type === "aws" && event.event.type === "aws-upload" && !event.event.dryRun)
      this.countUpload(event.target, event.event.localPath);
    if (event.type === "target-end") {
      this.state.reports.push(slim(event.report));
      this.state.fraction = undefined;
      this.results.push(this.afterTarget(event.report));
    }
    if (event.type === "target-start" || event.type === "target-end") void this.flush();
    else this.schedule();
  };

  /** Targets left alone because nothing changed on their volume (`--if-changed`). */
  async markUnchanged(targets: { name: string; localPath: string }[]): Promise<void> {
    this.state.unchanged.push(...targets.map((t) => t.name));
    if (this.file)
      await recordChecked(resultsFileFor(this.file), targets, this.now().toISOString()).catch(() => undefined);
    await this.flush();
  }

  /**
   * The run ended (with its exit code) or failed outside any target (with the error). `beforeDone` sees the
   * final state before it is written (the end-of-run notification): a reader that sees `done` sees it all.
   */
  async finish(exitCode: number, error?: unknown, beforeDone?: (state: SyncState) => Promise<void>): Promise<void> {
    clearInterval(this.heartbeat);
    await Promise.all([...this.sizes, ...this.results]);
    this.state.done = true;
    this.state.phase = "done";
    this.state.target = undefined;
    this.state.fraction = undefined;
    this.state.finishedAt = this.now().toISOString();
    // As the CLI's entry point does: a run stopped by a signal exits 130 unless it had nothing left to do.
    if (this.signal?.aborted) this.state.stopped = true;
    this.state.exitCode = this.state.stopped && exitCode !== 0 ? EXIT.INTERRUPTED : exitCode;
    if (error !== undefined) {
      this.state.error = {
        code: error instanceof SmartSyncError ? error.code : "UNEXPECTED",
        message: error instanceof Error ? error.message : String(error),
        hint: error instanceof SmartSyncError ? error.hint : undefined,
      };
    }
    this.state.progress = this.state.stopped ? "Stopped" : error === undefined ? "Done" : "Failed";
    await beforeDone?.(this.state);
    await this.flush();
  }

  private countUpload(target: string, localPath: string): void {
    const tally = (this.state.uploaded[target] ??= { files: 0, bytes: 0 });
    tally.files++;
    this.sizes.push(
      stat(localPath).then(
        (s) => (tally.bytes += s.size),
        () => undefined,
      ),
    );
  }

  private async afterTarget(report: TargetReport): Promise<void> {
    await Promise.all(this.sizes);
    if (!this.file) return;
    const uploaded = this.state.uploaded[report.target];
    await recordResults(resultsFileFor(this.file), [
      {
        target: report.target,
        localPath: report.localPath,
        at: this.now().toISOString(),
        startedAt: report.startedAt,
        status: report.status,
        error: report.error,
        moves: report.moves.done,
        bytesSaved: report.bytesSaved,
        uploads: report.aws?.uploads ?? 0,
        uploadedBytes: uploaded?.bytes ?? 0,
        awsDeletes: report.aws?.deletes ?? 0,
        deletes: deletesOf(report),
        logFile: report.logFile,
      },
    ]).catch(() => undefined);
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  private flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const file = this.file;
    if (!file) return this.chain;
    // Writes run one after another; each takes the state as it is when its turn comes.
    this.chain = this.chain
      .then(() => {
        const at = this.now().toISOString();
        this.state.updatedAt = at;
        this.state.heartbeatAt = at;
        return writeFileAtomic(file, Buffer.from(JSON.stringify(this.state)));
      })
      .catch(() => {
        // A state file that cannot be written must not stop the sync; readers see the run as stale.
      });
    return this.chain;
  }
}
