// The scheduled sync's decision, as a pure function of what it found: start the worker for the mounted,
// unlocked, not refused targets (the worker itself then skips volumes without changes), never while a
// sync runs. A refused target (the guards) waits for the user, in Status or the menu bar.
import type { TargetResult } from "../../cli/results-file";
import { REFUSED_CODES } from "../../cli/summary";
import type { LockInfo } from "../../engine/lock";

export interface TargetFacts {
  name: string;
  mounted: boolean;
  /** Another run holds the volume's lock. */
  lock?: LockInfo;
  last?: TargetResult;
}

export interface Decision {
  start: string[];
  skipped: { target: string; reason: string }[];
}

export function decideScheduled(targets: readonly TargetFacts[], running: { progress: string } | undefined): Decision {
  if (running)
    return {
      start: [],
      skipped: targets.map((t) => ({ target: t.name, reason: `a sync is running (${running.progress})` })),
    };
  const decision: Decision = { start: [], skipped: [] };
  for (const t of targets) {
    const refused = t.last?.error && REFUSED_CODES.has(t.last.error.code) ? t.last.error : undefined;
    const reason = !t.mounted
      ? "not mounted"
      : t.lock
        ? `locked by ${t.lock.command} (pid ${t.lock.pid})`
        : refused
          ? `refused until you confirm: ${refused.message}`
          : undefined;
    if (reason) decision.skipped.push({ target: t.name, reason });
    else decision.start.push(t.name);
  }
  return decision;
}
