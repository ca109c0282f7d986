// `batch`: every target of the config. Each target is prepared (scanned, planned, proven) before any is
// executed, so that a file moved from one target to another is copied between their buckets before the
// first target's aws deletes its old object (run/cross-target-stage.ts). A target that cannot run is
// reported and skipped; the others still run. Targets sharing a folder (one lock, one DB) take turns.
import { locateAwsCli, type AwsCliInfo } from "./aws-cli";
import type { ParsedConfig } from "./config";
import type { TargetReport } from "./report";
import { abandonTarget, executeTarget, prepareTarget, type PreparedRun, type RunOptions } from "./run";
import { crossTargetStage } from "./run/cross-target-stage";
import type { Target } from "./types";

export interface BatchOptions extends Omit<RunOptions, "aws"> {
  /** Only the targets with these names (default: all). */
  only?: string[];
}

export async function runBatch(config: Pick<ParsedConfig, "targets">, options: BatchOptions): Promise<TargetReport[]> {
  const targets = options.only ? config.targets.filter((t) => options.only!.includes(t.name)) : config.targets;
  // Targets naming the same aws CLI share one lookup. A failed lookup is left to the target's own run,
  // which repeats it and reports the failure for that target alone.
  const located = new Map<string, Promise<AwsCliInfo | undefined>>();
  const awsFor = (target: Target) => {
    if (options.command !== "sync") return undefined;
    const key = target.awsCli ?? "";
    if (!located.has(key))
      located.set(
        key,
        locateAwsCli({ explicit: target.awsCli, env: options.env }).catch(() => undefined),
      );
    return located.get(key);
  };
  const reports = new Map<Target, TargetReport>();
  for (const round of rounds(targets)) {
    if (options.signal?.aborted) break;
    const prepared: PreparedRun[] = [];
    for (const target of round) {
      if (options.signal?.aborted) break;
      const run = await prepareTarget(target, { ...options, aws: awsFor(target) });
      if ("report" in run) reports.set(target, run.report);
      else prepared.push(run);
    }
    try {
      if (!options.signal?.aborted) await crossTargetStage(prepared, options.signal);
    } catch (error) {
      // Cancelled while proving or copying: every prepared target still lets go of its lock and DB.
      for (const run of prepared) reports.set(run.ctx.target, await abandonTarget(run, error));
      break;
    }
    for (const run of prepared) {
      const report = options.signal?.aborted
        ? await abandonTarget(run, options.signal.reason)
        : await executeTarget(run);
      reports.set(run.ctx.target, report);
    }
  }
  return targets.flatMap((t) => (reports.has(t) ? [reports.get(t)!] : []));
}

/** The targets in config order, split so that no two of one round share a local folder. */
function rounds(targets: readonly Target[]): Target[][] {
  const out: { paths: Set<string>; targets: Target[] }[] = [];
  for (const target of targets) {
    let round = out.find((r) => !r.paths.has(target.localPath));
    if (!round) out.push((round = { paths: new Set(), targets: [] }));
    round.paths.add(target.localPath);
    round.targets.push(target);
  }
  return out.map((r) => r.targets);
}
