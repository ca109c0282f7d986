// The one-line progress text of a run, shared by the terminal's progress line and the state file that
// Raycast's toast reads, so both say the same thing.
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
  const bar = (fraction: number) => (options.bar ? `${options.bar(fraction)} ` : "");
  switch (event.type) {
    case "target-start":
      return `${event.target} · starting`;
    case "phase":
      return `${event.target} · ${PHASE_TEXT[event.phase]}`;
    case "scan-progress":
      return `${event.target} · scanning ${event.files.toLocaleString("en-US")} files`;
    case "list-progress":
      return `${event.target} · listing ${event.objects.toLocaleString("en-US")} objects`;
    case "hash-progress":
      return `${event.target} · hashing ${bar(event.totalBytes > 0 ? event.bytes / event.totalBytes : 1)}${formatBytes(event.bytes)} of ${formatBytes(event.totalBytes)}`;
    case "move":
      if (event.dryRun) return null;
      return `${event.target} · moving ${bar((event.done + event.failed) / event.total)}${event.done + event.failed}/${event.total}`;
    case "aws": {
      const e = event.event;
      if (e.type !== "aws-progress") return null;
      if (e.totalBytes <= 0) return `${event.target} · syncing, ${e.filesRemaining} files left`;
      const pct = Math.min(100, Math.floor((e.doneBytes / e.totalBytes) * 100));
      const text = `${event.target} · uploading ${bar(e.doneBytes / e.totalBytes)}${pct}% of ${formatBytes(e.totalBytes)}`;
      // A terminal has room for the rate and what is left; a toast does not.
      if (!options.bar) return text;
      return `${text}${e.totalFinal ? "" : "+"}${e.rate ? ` · ${e.rate}` : ""} · ${e.filesRemaining} left`;
    }
    case "target-end":
      return `${event.target} · ${STATUS_TEXT[event.report.status]}`;
    default:
      return null;
  }
}
