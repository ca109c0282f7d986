// Runs `aws s3 sync` as a child process (argument array, no shell), streams its statements as
// events and turns its exit into a result (0, 1 with failed transfers, 2 with skipped files) or a
// typed error (fatal errors, bad arguments, abort, timeout).
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import type { Readable } from "node:stream";
import { execa } from "execa";
import { AwsCliError, SmartSyncError } from "../errors";
import { buildAwsSyncArgs, redactCommand } from "./args";
import { classifyAwsFailure } from "./classify";
import { parseAwsLine, type ParseContext } from "./parse";
import { applyS3Settings } from "./s3-settings";
import type { AwsEvent, AwsSyncOptions, AwsSyncResult } from "./types";

const STDERR_LINES_KEPT = 200;
const FORCE_KILL_AFTER_MS = 5_000;

/** Environment for aws: unbuffered UTF-8 output so progress streams and names survive any locale. */
export function awsChildEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, PYTHONUNBUFFERED: "1", PYTHONIOENCODING: "utf-8", AWS_PAGER: "" };
}

/** Calls `onLine` for each statement; aws ends progress with "\r", everything else with "\n". */
function readStatements(stream: Readable, onLine: (line: string) => void): Promise<void> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  const push = (text: string) => {
    pending += text;
    const parts = pending.split(/\r\n|\r|\n/);
    pending = parts.pop() ?? "";
    for (const part of parts) onLine(part);
  };
  return new Promise((resolve) => {
    stream.on("data", (chunk: Buffer) => push(decoder.write(chunk)));
    // "close" as well as "end": a killed child may never end its pipes cleanly.
    const finish = () => {
      push(decoder.end());
      if (pending !== "") onLine(pending);
      pending = "";
      resolve();
    };
    stream.once("end", finish);
    stream.once("close", () => {
      if (stream.readableEnded) return;
      finish();
    });
  });
}

export async function runAwsSync(opts: AwsSyncOptions): Promise<AwsSyncResult> {
  const started = Date.now();
  const args = buildAwsSyncArgs(opts);
  const command = redactCommand([opts.aws.path, ...args]);
  if (opts.signal?.aborted) throw aborted(opts.signal);
  const result: AwsSyncResult = {
    exitCode: -1,
    outcome: "ok",
    uploads: [],
    deletes: [],
    warnings: [],
    errors: [],
    skippedPaths: [],
    durationMs: 0,
    command,
  };
  const config = s3Config(opts);
  try {
    return await runAws(opts, args, config.env, result, started);
  } finally {
    config.dispose();
  }
}

function s3Config(opts: AwsSyncOptions): { env: NodeJS.ProcessEnv; dispose: () => void } {
  try {
    return applyS3Settings(opts.env ?? process.env, opts.profile, opts.s3Settings ?? {});
  } catch (error) {
    throw new AwsCliError("AWS_CLI_FAILED", `Cannot read the aws config file: ${(error as Error).message}.`, {
      hint: "The target's aws settings (aws_max_concurrent_requests, aws_multipart_chunksize, path_style) are applied to a copy of it: make it readable, or remove those options.",
      cause: error,
    });
  }
}

async function runAws(
  opts: AwsSyncOptions,
  args: string[],
  env: NodeJS.ProcessEnv,
  result: AwsSyncResult,
  started: number,
): Promise<AwsSyncResult> {
  const { command } = result;
  const cwd = process.cwd();
  const context: ParseContext = { cwd, sourceRoot: path.resolve(cwd, opts.source), destination: opts.destination };
  const stderrTail: string[] = [];
  let listenerError: unknown;
  // Tracked as it streams: thousands of "upload failed" lines can push it out of the kept tail.
  let sawFatal = false;

  const subprocess = execa(opts.aws.path, args, {
    cwd,
    env: awsChildEnv(env),
    extendEnv: false,
    stdin: "ignore",
    buffer: false,
    reject: false,
    cancelSignal: opts.signal,
    timeout: opts.timeoutMs,
    forceKillAfterDelay: FORCE_KILL_AFTER_MS,
  });
  try {
    if (subprocess.pid !== undefined) opts.onSpawn?.({ pid: subprocess.pid, command });
  } catch (error) {
    listenerError = error;
    subprocess.kill();
  }

  const handle = (line: string, fromStderr: boolean) => {
    if (fromStderr) {
      const trimmed = line.replace(/ +$/, "");
      if (trimmed !== "") stderrTail.push(trimmed);
      if (stderrTail.length > STDERR_LINES_KEPT) stderrTail.shift();
    }
    const event = parseAwsLine(line, context);
    if (!event) return;
    if (event.type === "aws-error" && event.fatal) sawFatal = true;
    record(result, event);
    if (!opts.onEvent || listenerError !== undefined) return;
    try {
      opts.onEvent(event);
    } catch (error) {
      // A broken consumer must not leave aws uploading unobserved.
      listenerError = error;
      subprocess.kill();
    }
  };
  const streams = [
    subprocess.stdout ? readStatements(subprocess.stdout, (l) => handle(l, false)) : Promise.resolve(),
    subprocess.stderr ? readStatements(subprocess.stderr, (l) => handle(l, true)) : Promise.resolve(),
  ];
  const exit = await subprocess;
  await Promise.all(streams);
  result.durationMs = Date.now() - started;

  if (listenerError !== undefined) throw listenerError;
  // 130: a Ctrl-C in the terminal reaches aws too (same process group); it prints "cancelled: …".
  if (exit.isCanceled || exit.exitCode === 130 || exit.signal === "SIGINT") throw aborted(opts.signal);
  if (exit.timedOut) {
    throw new AwsCliError(
      "AWS_CLI_FAILED",
      `aws s3 sync did not finish within ${Math.round((opts.timeoutMs ?? 0) / 1000)} s and was stopped.`,
      {
        hint: "Run the sync again; it continues where it stopped.",
        stderr: stderrTail.join("\n"),
        retryable: true,
      },
    );
  }
  if (exit.exitCode === undefined) throw spawnFailure(exit, opts.aws.path, stderrTail);

  result.exitCode = exit.exitCode;
  if (exit.exitCode === 0) return result;
  if (exit.exitCode === 2 && !looksLikeUsage(stderrTail)) return { ...result, outcome: "skipped-files" };
  if (exit.exitCode === 1 && !sawFatal) return { ...result, outcome: "failed" };
  throw classifyAwsFailure(exit.exitCode, stderrTail);
}

function record(result: AwsSyncResult, event: AwsEvent): void {
  switch (event.type) {
    case "aws-upload":
      result.uploads.push({ localPath: event.localPath, key: event.key, path: event.path });
      break;
    case "aws-delete":
      result.deletes.push(event.key);
      break;
    case "aws-warning":
      result.warnings.push({ message: event.message, path: event.path });
      if (event.relativePath !== undefined) result.skippedPaths.push(event.relativePath);
      break;
    case "aws-error":
      result.errors.push(event.message);
      break;
  }
}

// aws-cli 1.x's argparse exits 2 on bad arguments, the same code as "skipped files".
function looksLikeUsage(stderrLines: string[]): boolean {
  return stderrLines.some(
    (l) => l.startsWith("usage: ") || l.startsWith("aws: error:") || l.startsWith("Unknown options:"),
  );
}

function aborted(signal: AbortSignal | undefined): SmartSyncError {
  return new SmartSyncError("ABORTED", "The aws sync was cancelled.", { cause: signal?.reason });
}

function spawnFailure(
  exit: { code?: string; shortMessage?: string; signal?: string },
  file: string,
  stderrTail: string[],
): AwsCliError {
  if (exit.code === "ENOENT" || exit.code === "EACCES") {
    return new AwsCliError("AWS_CLI_MISSING", `The aws CLI could not be started: ${file} (${exit.code}).`, {
      hint: 'Install it ("brew install awscli" on macOS) or set the path of the aws binary.',
    });
  }
  const how = exit.signal ? `was killed by ${exit.signal}` : `could not run (${exit.shortMessage ?? "unknown error"})`;
  return new AwsCliError("AWS_CLI_FAILED", `aws s3 sync ${how}.`, {
    hint: "Run the sync again; it continues where it stopped.",
    stderr: stderrTail.join("\n"),
    retryable: true,
  });
}
