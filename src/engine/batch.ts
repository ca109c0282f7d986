// `batch`: every target of the config. Each target is prepared (scanned, planned, proven) before any is
// executed, so that a file moved from one target to another is copied between their buckets before the
// first target's aws deletes its old object (run/cross-target-stage.ts); each holds its volume's lock
// until it has run (the config gives each target its own folder). A target that cannot run is reported and
// skipped; the others still run.
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
  const prepared: PreparedRun[] = [];
  for (const target of targets) {
    if (options.signal?.aborted) break;
    const run = await prepareTarget(target, { ...options, aws: awsFor(target) });
    if ("report" in run) reports.set(target, run.report);
    else prepared.push(run);
  }
  let stopped: unknown = options.signal?.aborted ? options.signal.reason : undefined;
  if (stopped === undefined) {
    try {
      await crossTargetStage(prepared, options.signal);
    } catch (error) {
      if (options.signal?.aborted) stopped = error;
      // Copies already made stay in their targets' reports; the other files are uploaded by aws as usual.
      else
        for (const run of prepared)
          run.ctx.notice(
            `Copies between targets stopped: ${error instanceof Error ? error.message : String(error)}. ` +
              `aws uploads the files they would have saved.`,
            "warning",
          );
    }
  }
  for (const run of prepared) {
    // Cancelled: every prepared target still lets go of its lock and DB, and says why it did not run.
    if (stopped === undefined && options.signal?.aborted) stopped = options.signal.reason;
    reports.set(run.ctx.target, stopped === undefined ? await executeTarget(run) : await abandonTarget(run, stopped));
  }
  return targets.flatMap((t) => (reports.has(t) ? [reports.get(t)!] : []));
}
