// How far V8 lets the heap grow past what is live. By default it grows to up to four times the live objects
// between full collections, by its own measure of how fast it collects; a sync's garbage is short-lived (the
// SDK's objects per request, a listing's pages), so that headroom is mostly garbage held as RSS. Measured on
// a folder rename of 200,000 files: 1,237 MiB peak RSS with V8's default, 596 MiB with the heap kept within
// 1.3× of what is live (set as here, at runtime), at the same CPU time. At a million files, 1.15× instead:
// peak 1,443 → 1,296 MiB, CPU 1,222 → 1,282 s (two runs side by side). Set once, by the processes that run
// syncs (CLI and worker).
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** The heap may grow to (1 + this / 100) times what a full collection left live. */
export const HEAP_GROWING_PERCENT = 15;

export function keepHeapNearLive(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

/** From this many rows, listed objects or moves let go of, a run collects its garbage there (`collectGarbage`). */
export const COLLECT_FROM = 100_000;

let gc: (() => void) | undefined;

/**
 * A full collection now, when a stage has let go of much that is no longer live: the heap's limit was set by
 * a collection made while it was live, and the next stage may grow the heap to that limit before V8
 * collects it (run.ts, before the moves). V8 lends `gc` to a context made once `--expose-gc` is set.
 */
export function collectGarbage(): void {
  if (!gc) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}
