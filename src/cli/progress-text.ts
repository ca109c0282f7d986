// The one-line progress text of a run, shared by the terminal's progress line and the state file that
// Raycast's toast reads, so both say the same thing. aws starts beside the moves, so their events
// interleave: RunProgress keeps both and shows them on one line instead of flipping between them.
import type { EngineEvent, Phase } from "../engine/events";
import { formatBytes } from "../engine/format";
import type { TargetReport } from "../engine/report";

const PHASE_TEXT: Record<Phase, string> = {
  lock: "locking the volume",
  database: "reading its state",
  resume: "checking for interrupted moves",
  scan: "scanning",
  list: "listing the bucket",
  plan: "planning",
  hash: "hashing files to prove renames and copies",
  move: "moving",
  aws: "syncing with aws",
  record: "recording the new state",
};

const STATUS_TEXT: Record<TargetReport["status"], string> = {
  ok: "synced",
  partial: "synced with warnings",
  failed: "failed",
  skipped: "skipped",
};

/**
 * The progress line for an event ("Vault · moving 12/40", "Vault · uploading 35% of 3.4 GB"), or null when
 * the event does not change it. A terminal passes `bar` to draw a bar and adds the rate and files left.
 */
export function progressText(event: EngineEvent, options: { bar?: (fraction: number) => string } = {}): string | null {
  const step = stepText(event, options);
  return step === null ? null : `${event.target} · ${step}`;
}

/** The progress line without its target ("moving 12/40"). */
function stepText(event: EngineEvent, options: { bar?: (fraction: number) => string }): string | null {
  const bar = (fraction: number) => (options.bar ? `${options.bar(fraction)} ` : "");
  switch (event.type) {
    case "target-start":
      return "starting";
    case "phase":
      return PHASE_TEXT[event.phase];
    case "scan-progress":
      return `scanning ${event.files.toLocaleString("en-US")} files`;
    case "list-progress":
      return `listing ${event.objects.toLocaleString("en-US")} objects`;
    case "hash-progress":
      return `hashing ${bar(event.totalBytes > 0 ? event.bytes / event.totalBytes : 1)}${formatBytes(event.bytes)} of ${formatBytes(event.totalBytes)}`;
    case "move":
      if (event.dryRun) return null;
      return `moving ${bar((event.done + event.failed) / event.total)}${event.done + event.failed}/${event.total}`;
    case "aws": {
      const e = event.event;
      if (e.type !== "aws-progress") return null;
      if (e.totalBytes <= 0) return `syncing, ${e.filesRemaining} files left`;
      const pct = Math.min(100, Math.floor((e.doneBytes / e.totalBytes) * 100));
      const text = `uploading ${bar(e.doneBytes / e.totalBytes)}${pct}% of ${formatBytes(e.totalBytes)}`;
      // A terminal has room for the rate and what is left; a toast does not.
      if (!options.bar) return text;
      return `${text}${e.totalFinal ? "" : "+"}${e.rate ? ` · ${e.rate}` : ""} · ${e.filesRemaining} left`;
    }
    case "target-end":
      return STATUS_TEXT[event.report.status];
    default:
      return null;
  }
}

interface Part {
  /** Without the target: "moving 12/40". */
  text: string;
  fraction: number;
}

/** The progress of one run, event by event, with the moves and aws's upload side by side while both run. */
export class RunProgress {
  private target: string | undefined;
  private moving: Part | undefined;
  private uploading: Part | undefined;
  /** How far the current step is (aws's upload while it runs, else the moves), when it can be told. */
  fraction: number | undefined;

  constructor(private readonly options: { bar?: (fraction: number) => string } = {}) {}

  /** The line after this event, or null when the event does not change it. */
  update(event: EngineEvent): string | null {
    if (event.target !== this.target) this.reset(event.target);
    if (event.type === "target-start" || event.type === "target-end") this.reset(event.target);
    if (event.type === "phase") {
      // A new aws run (the narrow one after the moves) starts its own count; other steps end both.
      if (event.phase === "aws") this.uploading = undefined;
      else if (event.phase === "move") this.moving = undefined;
      else this.reset(event.target);
    }
    const step = stepText(event, this.options);
    if (event.type === "move" && !event.dryRun && event.total > 0) {
      const done = event.done + event.failed;
      this.moving =
        done < event.total ? { text: `moving ${done}/${event.total}`, fraction: done / event.total } : undefined;
    }
    if (event.type === "aws" && event.event.type === "aws-progress" && event.event.totalBytes > 0 && step !== null)
      this.uploading = { text: step, fraction: Math.min(1, event.event.doneBytes / event.event.totalBytes) };
    this.fraction = this.uploading?.fraction ?? this.moving?.fraction;
    if (step === null) return null;
    return `${event.target} · ${this.moving && this.uploading ? `${this.moving.text} · ${this.uploading.text}` : step}`;
  }

  private reset(target: string): void {
    this.target = target;
    this.moving = undefined;
    this.uploading = undefined;
  }
}
