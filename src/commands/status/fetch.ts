// Status' fetcher: `s3-smart-sync status --json` in a child process (scan + DB per target, no S3, no lock;
// lists capped), joined with the config, the worker's state and each target's last result.
import type { ResultsByTarget, TargetResult } from "../../cli/results-file";
import type { TargetStatusLine } from "../../cli/status";
import type { Target } from "../../engine/types";
import { runCli } from "../lib/cli";
import { configFailure, readConfig, targetsOf } from "../lib/config";
import type { Failure } from "../lib/failure";
import { recordPending } from "../lib/pending";
import type { Settings } from "../lib/preferences";
import { currentSync, readLastResults, type CurrentSync } from "../lib/worker";

/** Drill-down lists are capped: a first sync of a big volume lists every file as new. */
export const FILE_LIST_LIMIT = 500;

export interface TargetRow {
  target: Target;
  line?: TargetStatusLine;
  /** The worker's last result for this target (with error codes and delete counts), if any. */
  result?: TargetResult;
}

export interface StatusData {
  configFile: string;
  configError?: Failure;
  rows: TargetRow[];
  sync?: CurrentSync;
}

/** `signal` ends the child process (the view closed, or a newer refresh started). */
export async function fetchStatus(settings: Settings, signal?: AbortSignal): Promise<StatusData> {
  const configFile = settings.configPath;
  const read = await readConfig(configFile);
  const configError = configFailure(read);
  const sync = await currentSync();
  if (configError) return { configFile, configError, rows: [], sync };
  const targets = targetsOf(read);
  const [{ lines }, results] = await Promise.all([
    targets.length > 0
      ? runCli<TargetStatusLine>(settings, ["status", "--limit", String(FILE_LIST_LIMIT)], { signal })
      : { lines: [] as TargetStatusLine[] },
    readLastResults(),
  ]);
  const byName = new Map(lines.map((l) => [l.target, l]));
  recordPending(
    Object.fromEntries(
      lines
        .filter((l) => l.mounted && !l.error)
        .map((l) => [
          l.target,
          {
            moves: l.counts.moved,
            uploads: l.counts.new + l.counts.modified,
            localDeletes: l.counts.deleted,
            bytesSavedTotal: l.bytesSavedTotal,
          },
        ]),
    ),
  );
  return { configFile, sync, rows: targets.map((t) => rowFor(t, byName.get(t.name), results)) };
}

function rowFor(target: Target, line: TargetStatusLine | undefined, results: ResultsByTarget): TargetRow {
  return { target, line, result: results[target.name] };
}
