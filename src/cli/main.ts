// `s3-smart-sync`: the terminal front end. Parses arguments, builds targets, runs the engine, renders its
// events (progress line on a TTY) and reports (text or `--json`), and maps results to exit codes.
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import path from "node:path";
import { runBatch } from "../engine/batch";
import { defaultConfigPath, initConfig, loadConfig } from "../engine/config";
import { SmartSyncError } from "../engine/errors";
import { prefixProblem } from "../engine/filters";
import type { EngineEvent } from "../engine/events";
import { normalizePrefix } from "../engine/keys";
import type { TargetReport } from "../engine/report";
import { runTarget } from "../engine/run";
import type { Target } from "../engine/types";
import { EXIT, exitCodeFor, reportText } from "./output";
import { ProgressLine } from "./progress";
import { reportJsonLine, StreamOutput } from "./stream-output";
import { applyMovesCommand, previewCommand, skipMoveCommand } from "./preview";
import { restoreCommand, restoreStatusCommand } from "./restore";
import { scheduleCommand } from "./schedule";
import { statusAllCommand, statusCommand } from "./status";
import { WorkerRun } from "./worker-run";

export interface GlobalOptions {
  config?: string;
  profile?: string;
  region?: string;
  endpointUrl?: string;
  awsCli?: string;
  concurrency?: number;
  json?: boolean;
  progress?: boolean;
}

/** Options every command accepts, before or after its name. */
export function addGlobalOptions(command: Command): Command {
  return command
    .option("--profile <name>", "AWS profile (credentials come from the SDK's default chain)")
    .option("--region <region>", "AWS region of the bucket")
    .option(
      "--endpoint-url <url>",
      "S3-compatible endpoint (path-style addressing unless the config says path_style=false)",
    )
    .option("--aws-cli <path>", "path of the aws CLI to run")
    .addOption(new Option("--concurrency <n>", "parallel S3 requests for moves").argParser(positiveInt))
    .option("--json", "print one JSON object per target instead of text")
    .option("--no-progress", "no progress line, even on a terminal");
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new CommanderError(EXIT.USAGE, "usage", `expected a whole number, got "${value}"`);
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new CommanderError(EXIT.USAGE, "usage", `expected a positive integer, got "${value}"`);
  return n;
}

/** A prefix aws can be given: excludes must mean under it what they say (see filters.ts prefixProblem). */
function syncPrefix(value: string): string {
  const problem = prefixProblem(normalizePrefix(value));
  if (problem) throw new InvalidArgumentError(`The prefix ${problem}.`);
  return value;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** What the user confirmed on purpose where a guard would refuse. */
interface Confirmations {
  allowDeletes?: boolean;
  acceptVolume?: boolean;
}

export interface CliIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Global options given before the command name merged under the command's own. */
function optionsOf<T extends object = object>(command: Command): GlobalOptions & T {
  return command.optsWithGlobals<GlobalOptions & T>();
}

export function applyOverrides(target: Target, o: GlobalOptions): Target {
  return {
    ...target,
    profile: o.profile ?? target.profile,
    region: o.region ?? target.region,
    endpointUrl: o.endpointUrl ?? target.endpointUrl,
    awsCli: o.awsCli ?? target.awsCli,
    concurrency: o.concurrency ?? target.concurrency,
  };
}

function targetFromArgs(
  localPath: string,
  bucket: string,
  o: GlobalOptions & { prefix?: string; exclude?: string[] },
): Target {
  const root = path.resolve(localPath.replace(/\/\.$/, "") || "/");
  return applyOverrides(
    {
      name: path.basename(root) || root,
      localPath: root,
      bucket,
      prefix: normalizePrefix(o.prefix ?? ""),
      excludes: o.exclude ?? [],
    },
    o,
  );
}

async function runAndReport(
  io: CliIO,
  o: GlobalOptions,
  work: (onEvent: (e: EngineEvent) => void) => Promise<TargetReport[]>,
): Promise<number> {
  const progress = new ProgressLine(io.stderr);
  const out = new StreamOutput(io.stdout);
  const showProgress = o.progress !== false && !o.json;
  const onEvent = (event: EngineEvent) => {
    if (showProgress) progress.onEvent(event);
    // A dry run shows what aws would do, line by line, as aws itself reports it.
    if (event.type === "aws" && !o.json && "dryRun" in event.event && event.event.dryRun) {
      const e = event.event;
      const line =
        e.type === "aws-upload"
          ? `would upload ${e.path ?? e.localPath}`
          : e.type === "aws-delete"
            ? `would delete ${e.key}`
            : null;
      if (line) {
        progress.clear();
        out.write([`  aws: ${line}\n`]);
      }
    }
    if (event.type === "target-end" && !o.json) {
      progress.clear();
      out.write(reportText(event.report));
    }
  };
  const reports = await work(onEvent);
  progress.clear();
  if (o.json) for (const report of reports) out.write(reportJsonLine(report));
  await out.flushed();
  return exitCodeFor(reports);
}

export function buildProgram(io: CliIO): { program: Command; result: { code: number } } {
  const result = { code: EXIT.OK as number };
  const program = addGlobalOptions(
    new Command("s3-smart-sync")
      .description(
        "Sync local volumes to S3, turning renames and moves into server-side moves, then running `aws s3 sync --delete` for the rest.",
      )
      .option("-c, --config <file>", `config file (default ${defaultConfigPath()})`),
  )
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText(
      "after",
      `
Exit codes: 0 done; 1 a target or a transfer failed; 2 something was left out (a volume not mounted, files
aws skipped, moves waiting for a restore); 3 a safety check refused a target (not the volume last synced, an
empty folder over a full bucket, more deletes than the cap), nothing changed; 64 usage; 75 the volume is
locked by another run; 78 config error; 130 interrupted.`,
    );

  const common = (command: Command) =>
    addGlobalOptions(command).exitOverride().option("-c, --config <file>", "config file");

  common(program.command("init").description("write a commented sample config; never overwrites one")).action(
    async (_o, cmd: Command) => {
      const o = optionsOf(cmd);
      const file = await initConfig(o.config);
      io.stdout.write(
        o.json
          ? JSON.stringify({ config: file }) + "\n"
          : `Wrote ${file}. Add your targets to it, then run \`s3-smart-sync batch\`.\n`,
      );
    },
  );

  common(
    program
      .command("batch")
      .description("for every target of the config: server-side moves, then aws s3 sync --delete"),
  )
    .option("-n, --dry-run", "show the moves and what aws would do; change nothing")
    .option("-m, --moves-only", "only the server-side moves; do not run aws s3 sync")
    .option("-t, --target <name>", "only this target (repeatable)", collect)
    .option("--allow-deletes", "run although aws would delete more objects than the deletion cap")
    .option("--accept-volume", "run although the folder is not the volume last synced (or is empty)")
    .option("--state-file <file>", "keep progress and results in this JSON file (for Raycast)")
    .option("--if-changed", "only targets whose volume changed since its last sync (scheduled runs)")
    .option("--keep-awake", "keep the Mac from idle sleep until the batch ends (macOS)")
    .addOption(
      new Option("--notify-after <seconds>", "notify at the end if the run took at least this long").argParser(
        nonNegativeInt,
      ),
    )
    .option("--notify-failures", "notify at the end if a target failed or was refused")
    .action(async (_o, cmd: Command) => {
      const o = optionsOf<
        { dryRun?: boolean; movesOnly?: boolean; target?: string[] } & Confirmations &
          ConstructorParameters<typeof WorkerRun>[1]
      >(cmd);
      const worker = new WorkerRun(io, o);
      await worker.begin();
      try {
        const config = await loadConfig(o.config);
        const targets = await worker.select(config.targets.map((t) => applyOverrides(t, o)));
        result.code = await runAndReport(io, o, (onEvent) =>
          runBatch(
            { targets },
            {
              command: o.movesOnly ? "moves" : "sync",
              commandName: "batch",
              dryRun: o.dryRun,
              allowDeletes: o.allowDeletes,
              acceptVolume: o.acceptVolume,
              env: io.env,
              signal: io.signal,
              onEvent: worker.sink(onEvent),
              only: o.target,
            },
          ),
        );
      } catch (error) {
        await worker.finish(
          error instanceof SmartSyncError && error.code.startsWith("CONFIG") ? EXIT.CONFIG : EXIT.FAILED,
          error,
        );
        throw error;
      }
      await worker.finish(result.code);
    });

  for (const name of ["moves", "sync"] as const) {
    common(program.command(`${name} <path> <bucket>`))
      .description(
        name === "moves"
          ? "server-side moves only, for one volume"
          : "server-side moves, then aws s3 sync --delete, for one volume",
      )
      .addOption(new Option("-p, --prefix <prefix>", "key prefix in the bucket").default("").argParser(syncPrefix))
      .option("--exclude <pattern>", "exclude pattern, as aws s3 sync takes it (repeatable)", collect)
      .option("-n, --dry-run", "show the moves and what aws would do; change nothing")
      .option("--allow-deletes", "run although aws would delete more objects than the deletion cap")
      .option("--accept-volume", "run although the folder is not the volume last synced (or is empty)")
      .action(async (localPath: string, bucket: string, _o, cmd: Command) => {
        const o = optionsOf<{ prefix?: string; exclude?: string[]; dryRun?: boolean } & Confirmations>(cmd);
        const target = targetFromArgs(localPath, bucket, o);
        result.code = await runAndReport(io, o, async (onEvent) => [
          await runTarget(target, {
            command: name,
            dryRun: o.dryRun,
            allowDeletes: o.allowDeletes,
            acceptVolume: o.acceptVolume,
            env: io.env,
            signal: io.signal,
            onEvent,
          }),
        ]);
      });
  }

  common(
    program
      .command("status [path]")
      .description(
        "pending changes since the last sync (new, modified, deleted, moved); no S3. Without a path: every target",
      ),
  )
    .option("--exclude <pattern>", "exclude pattern (default: the config's target for this path)", collect)
    .option("-t, --target <name>", "without a path: only this target (repeatable)", collect)
    .addOption(new Option("--limit <n>", "without a path: list at most n files of each kind").argParser(positiveInt))
    .action(async (localPath: string | undefined, _o, cmd: Command) => {
      result.code = localPath
        ? await statusCommand(io, localPath, optionsOf(cmd))
        : await statusAllCommand(io, optionsOf(cmd));
    });

  common(
    program
      .command("preview")
      .description("every target's pending moves, checked against S3; changes nothing, takes no lock"),
  )
    .option("-t, --target <name>", "only this target (repeatable)", collect)
    .addOption(new Option("--limit <n>", "list at most n moves per target").argParser(positiveInt))
    .action(async (_o, cmd: Command) => {
      const o = optionsOf<{ target?: string[]; limit?: number }>(cmd);
      result.code = await previewCommand(io, o, (t) => applyOverrides(t, o));
    });

  common(
    program
      .command("apply-moves <target>")
      .description("make a target's pending moves: those named with --from/--to (and their chains), or --all"),
  )
    .option("--from <path>", "old path of a move (repeatable, paired with --to)", collect)
    .option("--to <path>", "new path of that move", collect)
    .option("--all", "every pending move of the target")
    .action(async (name: string, _o, cmd: Command) => {
      const o = optionsOf<{ from?: string[]; to?: string[]; all?: boolean }>(cmd);
      result.code = await applyMovesCommand(io, name, o, (t) => applyOverrides(t, o));
    });

  common(
    program
      .command("skip-move <target> <from> <to>")
      .description("never make this move: aws uploads the file instead (--undo: propose it again)"),
  )
    .option("--undo", "forget an earlier skip")
    .action(async (name: string, from: string, to: string, _o, cmd: Command) => {
      result.code = await skipMoveCommand(io, name, { from, to }, optionsOf<{ undo?: boolean }>(cmd));
    });

  common(
    program
      .command("schedule <action>")
      .description("install|status|remove a LaunchAgent that runs `batch --if-changed` on an interval and on mount"),
  )
    .option("--every <interval>", "how often: 30m, 2h, 1d (default 1h)")
    .action(async (action: string, _o, cmd: Command) => {
      result.code = await scheduleCommand(io, action, optionsOf<{ every?: string }>(cmd));
    });

  common(
    program.command("restore <path> <bucket>").description("start S3 restores for moves waiting on archived objects"),
  )
    .option("-p, --prefix <prefix>", "key prefix in the bucket", "")
    .addOption(new Option("--tier <tier>", "retrieval tier").choices(["bulk", "standard", "expedited"]).default("bulk"))
    .addOption(new Option("--days <n>", "days the restored copy stays available").argParser(positiveInt).default(7))
    .action(async (localPath: string, bucket: string, _o, cmd: Command) => {
      const o = optionsOf<{ prefix?: string; tier: string; days: number }>(cmd);
      result.code = await restoreCommand(io, targetFromArgs(localPath, bucket, o), o);
    });

  common(
    program.command("restore-status <path> <bucket>").description("state of each restore started for pending moves"),
  )
    .option("-p, --prefix <prefix>", "key prefix in the bucket", "")
    .action(async (localPath: string, bucket: string, _o, cmd: Command) => {
      const o = optionsOf<{ prefix?: string }>(cmd);
      result.code = await restoreStatusCommand(io, targetFromArgs(localPath, bucket, o), o);
    });

  return { program, result };
}

/** Runs the CLI; never throws; returns the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const { program, result } = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: "user" });
    return result.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.exitCode === 0)
        return EXIT.OK;
      return EXIT.USAGE;
    }
    const wantsJson = argv.includes("--json");
    if (error instanceof SmartSyncError) {
      if (wantsJson)
        io.stdout.write(
          JSON.stringify({ error: { code: error.code, message: error.message, hint: error.hint } }) + "\n",
        );
      else io.stderr.write(`s3-smart-sync: ${error.message}\n${error.hint ? `${error.hint}\n` : ""}`);
      if (error.code === "CONFIG_INVALID" || error.code === "CONFIG_MISSING" || error.code === "CONFIG_EXISTS")
        return EXIT.CONFIG;
      if (error.code === "LOCKED") return EXIT.LOCKED;
      if (error.code === "USAGE") return EXIT.USAGE;
      if (error.code === "ABORTED") return EXIT.INTERRUPTED;
      return EXIT.FAILED;
    }
    io.stderr.write(
      `s3-smart-sync: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.FAILED;
  }
}
