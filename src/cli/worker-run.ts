// What `batch` does around the engine when it runs as a background worker (Raycast's, or a LaunchAgent):
// the state file (--state-file), skipping volumes without changes (--if-changed), keeping the Mac awake
// (--keep-awake) and notifying at the end (--notify-after, --notify-failures). Each is optional; a plain
// `batch` uses none of them.
import type { EngineEvent } from "../engine/events";
import type { Target } from "../engine/types";
import { splitByChanges } from "./changed";
import { keepAwake } from "./keep-awake";
import type { CliIO } from "./main";
import { notify } from "./notify";
import { StateFileWriter } from "./state-file";
import { finishedMessage } from "./summary";

export interface WorkerOptions {
  stateFile?: string;
  target?: string[];
  ifChanged?: boolean;
  keepAwake?: boolean;
  /** Notify when the run took at least this many seconds. */
  notifyAfter?: number;
  /** Notify when a target failed or was refused, however long the run took. */
  notifyFailures?: boolean;
}

export class WorkerRun {
  readonly state?: StateFileWriter;
  constructor(
    private readonly io: CliIO,
    private readonly o: WorkerOptions,
  ) {
    // The notification is written from the run's state: it is kept (in memory) when no file is asked for.
    const notifies = o.notifyAfter !== undefined || !!o.notifyFailures;
    if (o.stateFile || notifies) this.state = new StateFileWriter(o.stateFile, { only: o.target, signal: io.signal });
  }

  async begin(): Promise<void> {
    await this.state?.begin();
    if (this.o.keepAwake) keepAwake();
  }

  /** The targets to run: those asked for, and with --if-changed only those whose volume changed. */
  async select(targets: Target[]): Promise<Target[]> {
    const asked = this.o.target ? targets.filter((t) => this.o.target!.includes(t.name)) : targets;
    if (!this.o.ifChanged) return asked;
    const { changed, unchanged } = await splitByChanges(asked, this.io.signal);
    if (unchanged.length > 0) {
      await this.state?.markUnchanged(unchanged);
      if (!this.o.stateFile)
        this.io.stderr.write(`Up to date, not synced: ${unchanged.map((t) => t.name).join(", ")}\n`);
    }
    return changed;
  }

  /** The event sink to give the engine: the state file's, then the terminal's. */
  sink(next: (event: EngineEvent) => void): (event: EngineEvent) => void {
    const state = this.state;
    return state ? (event) => (state.onEvent(event), next(event)) : next;
  }

  async finish(exitCode: number, error?: unknown): Promise<void> {
    // Sent before the state says done, and recorded with it: Raycast, waiting for done, must not show a HUD
    // for a run that also notifies.
    await this.state?.finish(exitCode, error, async (state) => {
      const message = finishedMessage(state);
      // Measured as the state file says, so that a reader deciding "quick enough for a HUD" agrees.
      const took = Date.parse(state.finishedAt ?? "") - Date.parse(state.startedAt);
      const long = this.o.notifyAfter !== undefined && !(took < this.o.notifyAfter * 1000);
      if (!long && !(this.o.notifyFailures && message.failed)) return;
      const sent = await notify(message.title, message.message);
      state.notification = { title: message.title, message: message.message, sent };
    });
  }
}
