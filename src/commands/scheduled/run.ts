// The scheduled check: gather the facts (config, mounted volumes, locks, last results; no scan, no DB),
// decide, start the worker, record the decision. Returns at once: the worker runs detached, well within
// Raycast's time limit for background commands.
import { stat } from "node:fs/promises";
import { lockHolder } from "../../engine/lock";
import { configFailure, readConfig, targetsOf } from "../lib/config";
import { failureOf } from "../lib/failure";
import type { Settings } from "../lib/preferences";
import { readLastResults, runningSync, startWorker } from "../lib/worker";
import { decideScheduled, type TargetFacts } from "./decide";
import { writeScheduleState, type ScheduleState } from "./state";

async function isMounted(root: string): Promise<boolean> {
  try {
    return (await stat(root)).isDirectory();
  } catch {
    return false;
  }
}

export async function scheduledCheck(settings: Settings, now = new Date()): Promise<ScheduleState> {
  const checkedAt = now.toISOString();
  let state: ScheduleState;
  try {
    const read = await readConfig(settings.configPath);
    const problem = configFailure(read);
    if (problem) {
      state = { checkedAt, started: [], skipped: [], error: problem };
    } else {
      const results = await readLastResults();
      const facts: TargetFacts[] = [];
      for (const target of targetsOf(read)) {
        const mounted = await isMounted(target.localPath);
        facts.push({
          name: target.name,
          mounted,
          lock: mounted ? await lockHolder(target.localPath) : undefined,
          last: results[target.name],
        });
      }
      const decision = decideScheduled(facts, await runningSync());
      if (decision.start.length > 0)
        startWorker(settings, { only: decision.start, ifChanged: true, keepAwake: true, notifyFailures: true });
      state = { checkedAt, started: decision.start, skipped: decision.skipped };
    }
  } catch (error) {
    state = { checkedAt, started: [], skipped: [], error: failureOf(error) };
  }
  await writeScheduleState(state);
  return state;
}
