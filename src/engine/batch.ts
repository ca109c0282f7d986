// `batch`: every target of the config in turn. A target that cannot run is reported and skipped; the
// others still run.
import { locateAwsCli, type AwsCliInfo } from "./aws-cli";
import type { ParsedConfig } from "./config";
import type { TargetReport } from "./report";
import { runTarget, type RunOptions } from "./run";

export interface BatchOptions extends Omit<RunOptions, "aws"> {
  /** Only the targets with these names (default: all). */
  only?: string[];
}

export async function runBatch(config: Pick<ParsedConfig, "targets">, options: BatchOptions): Promise<TargetReport[]> {
  const targets = options.only ? config.targets.filter((t) => options.only!.includes(t.name)) : config.targets;
  // Targets naming the same aws CLI share one lookup. A failed lookup is left to runTarget, which
  // repeats it and reports the failure for that target alone.
  const located = new Map<string, Promise<AwsCliInfo | undefined>>();
  const reports: TargetReport[] = [];
  for (const target of targets) {
    if (options.signal?.aborted) break;
    let aws: Promise<AwsCliInfo | undefined> | undefined;
    if (options.command === "sync") {
      const key = target.awsCli ?? "";
      if (!located.has(key))
        located.set(
          key,
          locateAwsCli({ explicit: target.awsCli, env: options.env }).catch(() => undefined),
        );
      aws = located.get(key);
    }
    reports.push(await runTarget(target, { ...options, aws }));
  }
  return reports;
}
