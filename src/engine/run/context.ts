// What every stage of one target's run shares: the target, the options, the report being filled in, and
// the event sinks (front ends and the run log). Stages take this plus what the previous stage returned.
import type { AwsCliInfo } from "../aws-cli";
import type { EngineEvent, EventSink, Phase } from "../events";
import { normalizePrefix } from "../keys";
import { RunLog } from "../logger";
import type { MoveOutcome } from "../mover";
import { emptyReport, moveSummary, type MoveSummary, type TargetReport } from "../report";
import type { Target } from "../types";

export interface RunOptions {
  /** sync: moves then `aws s3 sync --delete`; moves: moves only. */
  command: "sync" | "moves";
  dryRun?: boolean;
  /** sql.js wasm bytes (Raycast passes them from its assets); read from node_modules when omitted. */
  wasmBinary?: Uint8Array;
  /** The aws CLI to use, located already or being located (batch looks each one up once). */
  aws?: AwsCliInfo | Promise<AwsCliInfo | undefined>;
  /** Environment for the aws CLI; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onEvent?: EventSink;
  /** Write `<volume>/logs/s3-sync-*.log` (default true, never in a dry run). */
  log?: boolean;
  /** Only the planned moves this accepts are made, each with its chain, swap or cycle (Preview Moves). */
  selectMoves?: (move: { from: string; to: string }) => boolean;
  /** Run although the root is not the volume this target was synced from (or is empty): the user confirmed. */
  acceptVolume?: boolean;
  /** Run although the sync deletes more objects than the deletion cap: the user confirmed. */
  allowDeletes?: boolean;
  /** Name of the front-end command, for the lock and the log file name (default: command). */
  commandName?: string;
  now?: () => Date;
}

export interface RunContext {
  readonly target: Target;
  /** The target's prefix without leading or trailing `/`. */
  readonly prefix: string;
  readonly options: RunOptions;
  readonly dryRun: boolean;
  readonly now: () => Date;
  readonly startedAt: Date;
  readonly report: TargetReport;
  log?: RunLog;
  /**
   * Starts `<volume>/logs/s3-sync-*.log` with what was emitted so far. Called once the guard accepted the
   * volume: nothing is written to a volume that may be the wrong one.
   */
  openLog(): void;
  emit(event: EngineEvent): void;
  phase(phase: Phase): void;
  notice(message: string, level?: "info" | "warning"): void;
  /**
   * A line per outcome in the report's list, at the list's current place, made when the target closes
   * (`finishReport`): a million moves' lines (about 200 MB) need not be held while the DB is saved.
   */
  reportOutcomes(outcomes: readonly MoveOutcome[]): void;
  /** Makes the lines `reportOutcomes` put off: the report is complete after it. */
  finishReport(): void;
}

export function createRunContext(target: Target, options: RunOptions): RunContext {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const prefix = normalizePrefix(target.prefix);
  const dryRun = options.dryRun ?? false;
  const report = emptyReport(
    {
      target: target.name,
      localPath: target.localPath,
      bucket: target.bucket,
      prefix,
      command: options.command,
      dryRun,
    },
    startedAt,
  );
  let backlog: EngineEvent[] | undefined = [];
  const outcomeLines: { at: number; outcomes: readonly MoveOutcome[] }[] = [];
  const context: RunContext = {
    target,
    prefix,
    options,
    dryRun,
    now,
    startedAt,
    report,
    openLog() {
      if (!backlog) return;
      const events = backlog;
      backlog = undefined;
      if (options.log === false || dryRun) return;
      try {
        context.log = RunLog.open(target.localPath, options.commandName ?? options.command, startedAt);
      } catch (error) {
        // The volume went away or is full: the run's own outcome matters more than its log.
        report.notices.push(`No run log: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      report.logFile = context.log.file;
      for (const event of events) context.log.onEvent(event);
    },
    emit(event) {
      options.onEvent?.(event);
      if (context.log) context.log.onEvent(event);
      else if (backlog && !event.type.endsWith("-progress")) backlog.push(event);
    },
    phase(phase) {
      context.emit({ type: "phase", target: target.name, phase });
    },
    notice(message, level = "info") {
      report.notices.push(message);
      context.emit({ type: "notice", target: target.name, level, message });
    },
    reportOutcomes(outcomes) {
      if (outcomes.length > 0) outcomeLines.push({ at: report.moves.list.length, outcomes });
    },
    finishReport() {
      if (outcomeLines.length === 0) return;
      const list = report.moves.list;
      const lines: MoveSummary[] = [];
      let next = 0;
      for (const { at, outcomes } of outcomeLines.splice(0)) {
        while (next < at) lines.push(list[next++]!);
        for (const o of outcomes) lines.push(moveSummary(o.move, o.archived ? "pending-restore" : o.status, o.error));
      }
      while (next < list.length) lines.push(list[next++]!);
      report.moves.list = lines;
    },
  };
  return context;
}
