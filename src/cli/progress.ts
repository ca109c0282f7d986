// The terminal's progress line: one consumer of engine events, drawn on stderr only when it is a TTY.
import type { EngineEvent } from "../engine/events";
import { formatBytes } from "../engine/format";

const BAR_WIDTH = 24;

function bar(fraction: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
  return `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
}

/** Text of the progress line for an event, or null when the event does not change it. */
export function progressText(event: EngineEvent): string | null {
  switch (event.type) {
    case "phase":
      return `${event.target} · ${PHASE_TEXT[event.phase]}`;
    case "scan-progress":
      return `${event.target} · scanning ${event.files.toLocaleString("en-US")} files`;
    case "list-progress":
      return `${event.target} · listing ${event.objects.toLocaleString("en-US")} objects`;
    case "move":
      if (event.dryRun) return null;
      return `${event.target} · moving ${bar((event.done + event.failed) / event.total)} ${event.done + event.failed}/${event.total}`;
    case "aws": {
      const e = event.event;
      if (e.type !== "aws-progress" || e.totalBytes <= 0) return null;
      const pct = Math.floor((e.doneBytes / e.totalBytes) * 100);
      return (
        `${event.target} · uploading ${bar(e.doneBytes / e.totalBytes)} ${pct}% of ${formatBytes(e.totalBytes)}` +
        `${e.totalFinal ? "" : "+"}${e.rate ? ` · ${e.rate}` : ""} · ${e.filesRemaining} left`
      );
    }
    default:
      return null;
  }
}

const PHASE_TEXT: Record<string, string> = {
  lock: "locking the volume",
  database: "reading the state DB",
  resume: "checking for interrupted moves",
  scan: "scanning",
  list: "listing the bucket",
  plan: "planning",
  move: "moving",
  aws: "aws s3 sync",
  record: "recording the new state",
};

export class ProgressLine {
  private last = "";
  private lastDraw = 0;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  readonly onEvent = (event: EngineEvent): void => {
    if (!this.enabled) return;
    const text = progressText(event);
    if (text === null) return;
    // Redraw at most 10 times a second; phase changes always show.
    const now = Date.now();
    if (event.type !== "phase" && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.draw(text);
  };

  private draw(text: string): void {
    const width = this.stream.columns || 100;
    const line = text.length >= width ? `${text.slice(0, width - 2)}…` : text;
    this.stream.write(`\r\x1b[2K${line}`);
    this.last = line;
  }

  /** Clears the line so that normal output can follow. */
  clear(): void {
    if (this.enabled && this.last) this.stream.write("\r\x1b[2K");
    this.last = "";
  }
}
