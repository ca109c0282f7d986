// `batch --state-file <file>`: one more consumer of engine events. It keeps a small JSON file saying where a
// run is and how it ended, for front ends that do not own the run (Raycast starts the batch as a detached
// worker and reads this file for its toast, its HUD and the Status command).
//
// Decisions:
// - Written atomically (temp file + rename): readers poll it and must never see half a file.
// - Progress writes are throttled (one per `intervalMs`); target starts and ends, and the end of the run,
//   are written at once, so a reader never misses a result.
// - Reports keep their figures and errors but not their move lists (a big reorganisation lists thousands).
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../engine/atomic-write";
import { SmartSyncError } from "../engine/errors";
import type { EngineEvent, Phase } from "../engine/events";
import type { TargetReport } from "../engine/report";
import { progressText } from "./progress-text";

export interface SyncState {
  /** The process running the batch: a reader checks it is alive before believing `done: false`. */
  pid: number;
  startedAt: string;
  updatedAt: string;
  phase: Phase | "starting" | "done";
  /** The target being synced, if any. */
  target?: string;
  /** One line for a toast: "Vault · moving 12/40", "Vault · uploading 35% of 3.4 GB". */
  progress: string;
  done: boolean;
  /** One per finished target, in order; `moves.list` keeps only failed moves (at most 20). */
  reports: TargetReport[];
  exitCode?: number;
  /** Why the whole batch failed before or outside any target (config missing or invalid…). */
  error?: { code: string; message: string; hint?: string };
}

export interface StateFileOptions {
  intervalMs?: number;
  pid?: number;
  now?: () => Date;
}

function slim(report: TargetReport): TargetReport {
  const failed = report.moves.list.filter((m) => m.status === "failed" || m.status === "blocked").slice(0, 20);
  return { ...report, moves: { ...report.moves, list: failed } };
}

export class StateFileWriter {
  private readonly state: SyncState;
  private readonly intervalMs: number;
  private readonly now: () => Date;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly file: string,
    options: StateFileOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 500;
    this.now = options.now ?? (() => new Date());
    const at = this.now().toISOString();
    this.state = {
      pid: options.pid ?? process.pid,
      startedAt: at,
      updatedAt: at,
      phase: "starting",
      progress: "Starting",
      done: false,
      reports: [],
    };
  }

  /** Creates the folder and writes the first state. */
  async begin(): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    await this.flush();
  }

  readonly onEvent = (event: EngineEvent): void => {
    const text = progressText(event);
    if (text !== null) this.state.progress = text;
    if (event.type === "phase") this.state.phase = event.phase;
    if (event.type === "target-start") this.state.target = event.target;
    if (event.type === "target-end") this.state.reports.push(slim(event.report));
    if (event.type === "target-start" || event.type === "target-end") void this.flush();
    else this.schedule();
  };

  /** The run ended (with its exit code) or failed outside any target (with the error). */
  async finish(exitCode: number, error?: unknown): Promise<void> {
    this.state.done = true;
    this.state.phase = "done";
    this.state.target = undefined;
    this.state.exitCode = exitCode;
    if (error !== undefined) {
      this.state.error = {
        code: error instanceof SmartSyncError ? error.code : "UNEXPECTED",
        message: error instanceof Error ? error.message : String(error),
        hint: error instanceof SmartSyncError ? error.hint : undefined,
      };
    }
    this.state.progress = error === undefined ? "Done" : "Failed";
    await this.flush();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  private flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    // Writes run one after another; each takes the state as it is when its turn comes.
    this.chain = this.chain
      .then(() => {
        this.state.updatedAt = this.now().toISOString();
        return writeFileAtomic(this.file, Buffer.from(JSON.stringify(this.state)));
      })
      .catch(() => {
        // A state file that cannot be written must not stop the sync; readers see the run as stale.
      });
    return this.chain;
  }
}
