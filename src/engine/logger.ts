// The run log: `<volume>/logs/s3-sync-<command>-YYYY-MM-DD_HH-MM-SS.log`, one consumer of engine events.
import { createWriteStream, mkdirSync, type WriteStream } from "node:fs";
import path from "node:path";
import type { EngineEvent } from "./events";
import { formatBytes } from "./format";

export const LOG_DIR = "logs";

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

export function logFileName(command: string, at: Date): string {
  const date = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  const time = `${pad(at.getHours())}-${pad(at.getMinutes())}-${pad(at.getSeconds())}`;
  return `s3-sync-${command}-${date}_${time}.log`;
}

export class RunLog {
  private readonly stream: WriteStream;

  private constructor(readonly file: string) {
    this.stream = createWriteStream(file, { flags: "a" });
    // A full disk or an unplugged volume must not crash the run over its log.
    this.stream.on("error", () => {});
  }

  static open(volumeRoot: string, command: string, at: Date): RunLog {
    const dir = path.join(volumeRoot, LOG_DIR);
    // Not recursive: a volume that went away must not be recreated as an empty folder by its log.
    try {
      mkdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    return new RunLog(path.join(dir, logFileName(command, at)));
  }

  line(text: string): void {
    this.stream.write(`${new Date().toISOString()} ${text}\n`);
  }

  /** Writes the events worth keeping: moves, notices, aws's own lines, the summary. */
  readonly onEvent = (event: EngineEvent): void => {
    switch (event.type) {
      case "target-start":
        this.line(`start ${event.localPath} → ${event.destination}${event.dryRun ? " (dry run)" : ""}`);
        break;
      case "notice":
        this.line(`${event.level}: ${event.message}`);
        break;
      case "plan":
        this.line(
          `plan: ${event.moves} moves (${formatBytes(event.bytesSaved)} not uploaded), ${event.archived} waiting for restore, ` +
            `${event.rejected} rename candidates left to aws, ${event.newFiles} new, ${event.modified} modified, ${event.deleted} deleted`,
        );
        break;
      case "move": {
        const { move, status, error } = event.outcome;
        this.line(
          `move ${status}: ${move.fromKey} → ${move.toKey} (${formatBytes(move.size)})${error ? `: ${error}` : ""}`,
        );
        if (event.outcome.deleteFailed) this.line(`  old key not deleted: ${event.outcome.deleteFailed}`);
        break;
      }
      case "aws":
        if (event.event.type !== "aws-progress") {
          this.line(`aws: ${"line" in event.event ? event.event.line : JSON.stringify(event.event)}`);
        }
        break;
      case "target-end": {
        const r = event.report;
        this.line(
          `end: ${r.status}${r.error ? ` (${r.error.message})` : ""}; ${r.moves.done} moved, ${r.moves.failed} failed`,
        );
        break;
      }
      default:
        break;
    }
  };

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(resolve));
  }
}
