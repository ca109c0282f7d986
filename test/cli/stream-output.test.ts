// Large output (a report of thousands of moves) reaches the stream whole, in order and in chunks: the same
// text one JSON.stringify or one join would give, never held as one string, and a stream that waits or
// fails is waited for or reported, not overrun or hung on.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { MoveSummary, TargetReport } from "../../src/engine/report";
import { renderReport, reportText } from "../../src/cli/output";
import { jsonLine, reportJsonLine, StreamOutput } from "../../src/cli/stream-output";

function report(moves: number): TargetReport {
  const list: MoveSummary[] = Array.from({ length: moves }, (_, i) => ({
    // Names a user's library holds: quotes, backslashes, a newline, accents in both forms, emoji.
    from: `Old "Folder"\\${i % 7 === 0 ? "Cafe\u0301" : "Café"}/${i}\n🎵.flac`,
    to: `New "Folder"\\${i % 7 === 0 ? "Cafe\u0301" : "Café"}/${i}\n🎵.flac`,
    fromKey: `music/Old "Folder"\\${i}.flac`,
    toKey: `music/New "Folder"\\${i}.flac`,
    size: 1000 + i,
    status: "done",
  }));
  return {
    target: "Music",
    localPath: "/Volumes/Music",
    bucket: "b",
    prefix: "music",
    command: "moves",
    dryRun: false,
    status: "ok",
    startedAt: "2026-12-05T00:00:00.000Z",
    durationMs: 1234,
    notices: ["a notice"],
    moves: { done: moves, failed: 0, skipped: 0, pendingRestore: 0, list },
    bytesSaved: 42,
  } as unknown as TargetReport;
}

/** A pipe that takes 16 KiB before asking to wait, and drains a tick later (as a pipe to a slow reader). */
class SlowPipe extends Writable {
  readonly chunks: string[] = [];
  constructor() {
    super({ highWaterMark: 16 * 1024, decodeStrings: false });
  }
  override _write(chunk: string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    setTimeout(callback, 1);
  }
  text(): string {
    return this.chunks.join("");
  }
}

describe("report output", () => {
  it("streams a JSON report of thousands of moves as the exact text of one JSON.stringify, in chunks", async () => {
    for (const moves of [3, 5_000]) {
      const r = report(moves);
      const pipe = new SlowPipe();
      const out = new StreamOutput(pipe);
      out.write(reportJsonLine(r));
      await out.flushed();
      expect(pipe.text()).toBe(JSON.stringify(r) + "\n");
      expect(JSON.parse(pipe.text()).moves.list).toHaveLength(moves);
      if (moves > 1_000) {
        expect(pipe.chunks.length).toBeGreaterThan(10);
        expect(Math.max(...pipe.chunks.map((c) => c.length))).toBeLessThan(70 * 1024);
      }
    }
  });

  it("streams several long lists of one value (status --json of a volume never synced) as one JSON.stringify", async () => {
    const paths = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}/"quoted"\\${i}\n🎵`);
    const line = {
      localPath: "/Volumes/Music",
      moved: paths(1_500, "moved").map((from) => ({ from, to: `${from}.new`, size: 1 })),
      new: paths(4_000, "new"),
      modified: paths(3, "modified"),
      deleted: paths(2_000, "deleted"),
      unchanged: 12,
      notices: ["a notice"],
    };
    const pipe = new SlowPipe();
    const out = new StreamOutput(pipe);
    out.write(jsonLine(line, [line.moved, line.new, line.modified, line.deleted]));
    await out.flushed();
    expect(pipe.text()).toBe(JSON.stringify(line) + "\n");
    expect(JSON.parse(pipe.text()).new).toHaveLength(4_000);
    expect(Math.max(...pipe.chunks.map((c) => c.length))).toBeLessThan(70 * 1024);
  });

  it("streams the text report line by line, the same text as renderReport, in order with other writes", async () => {
    const r = report(5_000);
    const pipe = new SlowPipe();
    const out = new StreamOutput(pipe);
    out.write(["first\n"]);
    out.write(reportText(r));
    out.write(["  aws: would upload last.txt\n"]);
    await out.flushed();
    expect(pipe.text()).toBe("first\n" + renderReport(r) + "\n  aws: would upload last.txt\n");
    const lines = pipe.text().split("\n");
    expect(lines.filter((l) => l.startsWith("  moved music/Old"))).toHaveLength(5_000);
    expect(Math.max(...pipe.chunks.map((c) => c.length))).toBeLessThan(70 * 1024);
  });

  it("writes synchronously while the stream takes everything (a terminal, a file)", () => {
    const chunks: string[] = [];
    const sink = new Writable({
      highWaterMark: 1 << 30,
      decodeStrings: false,
      write(chunk: string, _e, callback) {
        chunks.push(chunk);
        callback();
      },
    });
    const out = new StreamOutput(sink);
    out.write(reportText(report(2_000)));
    expect(chunks.join("")).toBe(renderReport(report(2_000)) + "\n");
  });

  it("says so when the stream fails while it waits, instead of hanging", async () => {
    const broken = new Writable({
      highWaterMark: 1024,
      decodeStrings: false,
      write(_chunk, _e, callback) {
        setTimeout(() => callback(Object.assign(new Error("write EPIPE"), { code: "EPIPE" })), 1);
      },
    });
    broken.on("error", () => undefined);
    const out = new StreamOutput(broken);
    out.write(reportJsonLine(report(5_000)));
    await expect(out.flushed()).rejects.toThrow(/EPIPE|closed/);
  });
});
