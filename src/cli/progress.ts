// The terminal's progress line: one consumer of engine events, drawn on stderr only when it is a TTY.
import type { EngineEvent } from "../engine/events";
import { RunProgress } from "./progress-text";

const BAR_WIDTH = 24;

function bar(fraction: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
  return `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
}

export class ProgressLine {
  private last = "";
  private lastDraw = 0;
  private readonly progress = new RunProgress({ bar });

  constructor(private readonly stream: NodeJS.WriteStream) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  readonly onEvent = (event: EngineEvent): void => {
    if (!this.enabled) return;
    const text = this.progress.update(event);
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
