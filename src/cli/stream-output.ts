// Output that may be large (a report of a million moves: a line or a JSON element per move) goes to the
// stream in chunks, never as one string: V8 caps a string near 512 MiB, and one that size is a copy of the
// report on top of it. Writes stay in order and stay synchronous while the stream takes them (a terminal
// or a file always does), so they never interleave with the progress line; a pipe that asks to wait is
// waited for.
import { randomUUID } from "node:crypto";
import type { TargetReport } from "../engine/report";

const CHUNK_CHARS = 64 * 1024;
/** Lists shorter than this are left to the one `JSON.stringify` of the whole value. */
const STREAM_LIST_FROM = 1_000;

export class StreamOutput {
  private readonly queue: Iterator<string>[] = [];
  private waiting: Promise<void> | undefined;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  /** Writes the pieces after everything written before, joined into chunks. */
  write(pieces: Iterable<string>): void {
    this.queue.push(chunked(pieces));
    if (!this.waiting) this.pump();
  }

  /** Resolves once everything written so far is handed to the stream; rejects if the stream failed. */
  async flushed(): Promise<void> {
    while (this.waiting) await this.waiting;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const next = this.queue[0].next();
      if (next.done) {
        this.queue.shift();
        continue;
      }
      if (!this.stream.write(next.value)) {
        this.waiting = drained(this.stream).then(() => {
          this.waiting = undefined;
          this.pump();
        });
        this.waiting.catch(() => undefined); // reported by flushed()
        return;
      }
    }
  }
}

function* chunked(pieces: Iterable<string>): Generator<string> {
  let parts: string[] = [];
  let length = 0;
  for (const piece of pieces) {
    parts.push(piece);
    length += piece.length;
    if (length >= CHUNK_CHARS) {
      yield parts.join("");
      parts = [];
      length = 0;
    }
  }
  if (length > 0) yield parts.join("");
}

function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      stream.off("drain", onDrain);
      stream.off("error", onError);
      stream.off("close", onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = () => done();
    const onError = (error: Error) => done(error);
    const onClose = () => done(new Error("the output was closed before everything was written"));
    stream.on("drain", onDrain);
    stream.on("error", onError);
    stream.on("close", onClose);
  });
}

/**
 * `JSON.stringify(value)` and a newline, in pieces: each of `lists` (arrays inside `value`, each there once)
 * element by element. The text is the same as one `JSON.stringify` would give.
 */
export function* jsonLine(value: unknown, lists: readonly (readonly unknown[])[]): Generator<string> {
  const long = lists.filter((list) => list.length >= STREAM_LIST_FROM);
  if (long.length === 0) {
    yield JSON.stringify(value) + "\n";
    return;
  }
  // Each long list is stood in for by a string no value holds, then spliced back in element by element.
  const id = randomUUID();
  const tokens = new Map<unknown, string>(long.map((list, i) => [list, `${id} ${i}`]));
  const text = JSON.stringify(value, (_key, v: unknown) => tokens.get(v) ?? v);
  const places = long
    .map((list, i) => {
      const marker = JSON.stringify(`${id} ${i}`);
      return { list, marker, at: text.indexOf(marker) };
    })
    .filter((place) => place.at >= 0)
    .sort((a, b) => a.at - b.at);
  let from = 0;
  for (const { list, marker, at } of places) {
    yield text.slice(from, at) + "[";
    for (let i = 0; i < list.length; i++) yield (i === 0 ? "" : ",") + (JSON.stringify(list[i]) ?? "null");
    yield "]";
    from = at + marker.length;
  }
  yield text.slice(from) + "\n";
}

/** A target's report as one JSON line, in pieces (its moves' list element by element). */
export function reportJsonLine(report: TargetReport): Generator<string> {
  return jsonLine(report, [report.moves.list]);
}
