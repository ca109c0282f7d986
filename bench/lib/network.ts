// The network profiles of the benchmarks: shaping done by the local server's proxy (round trip per request,
// handshakes on each new connection, one upload link shared by every connection), so every tool pays
// what a user's link to S3 costs. Downloads are not capped.
import type { NetworkShape, RequestLogEntry } from "../../test/support/local-s3/server-api";
import { stringFlag, type Flags } from "./args";

export const PROFILES = {
  /** Loopback as it is: well under a millisecond per request. */
  none: {},
  /** 10 ms to the region, 200 Mbit/s up. */
  office: { rttMs: 10, connectRtts: 2, upMbps: 200 },
  /** 30 ms to the region, 20 Mbit/s up (a good home line). */
  home: { rttMs: 30, connectRtts: 2, upMbps: 20 },
} satisfies Record<string, NetworkShape>;

export type ProfileName = keyof typeof PROFILES;

/** `--network home,office,none` (default: all three, in that order of cost: none first). */
export function profilesFlag(flags: Flags, fallback = "none,office,home"): ProfileName[] {
  const names = (stringFlag(flags, "network") ?? fallback).split(",").map((n) => n.trim());
  for (const name of names)
    if (!(name in PROFILES)) throw new Error(`unknown network profile "${name}"; known: ${Object.keys(PROFILES)}`);
  return names as ProfileName[];
}

/**
 * When a tool's requests happened, from the proxy's log: ms from the process start to its first request,
 * and per operation the span [first request, last answer] and the count. Tells a startup from a listing
 * from the moves from the uploads, and which of them overlap.
 */
export function timeline(log: RequestLogEntry[], startedAt: number) {
  if (log.length === 0) return { firstRequestMs: null, lastAnswerMs: null, ops: {} };
  const ops: Record<string, { count: number; fromMs: number; toMs: number }> = {};
  let first = Infinity;
  let last = 0;
  for (const e of log) {
    const from = e.at - startedAt;
    const to = from + e.ms;
    first = Math.min(first, from);
    last = Math.max(last, to);
    const o = (ops[e.op] ??= { count: 0, fromMs: from, toMs: to });
    o.count++;
    o.fromMs = Math.min(o.fromMs, from);
    o.toMs = Math.max(o.toMs, to);
  }
  return { firstRequestMs: first, lastAnswerMs: last, ops };
}
