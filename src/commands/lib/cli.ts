// The one way commands reach the engine: the CLI bundle (assets/worker.mjs) run as a child process with
// Raycast's own Node, printing `--json`. Raycast kills a command whose JS heap passes its limit, and a
// volume's DB, scan and plan are large: they live in the child, which exits when done; the command only
// holds the few lines of JSON it prints (DESIGN.md "Long runs started from Raycast").
import { environment } from "@raycast/api";
import { spawn } from "node:child_process";
import path from "node:path";
import type { Failure } from "./failure";
import type { Settings } from "./preferences";

/** Raycast starts commands with PATH=/usr/bin:/bin:/usr/sbin:/sbin; Homebrew's folders come first here. */
export function childEnv(settings: Settings, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const dirs = ["/opt/homebrew/bin", "/usr/local/bin", ...(base.PATH ?? "").split(path.delimiter)].filter(Boolean);
  const env: NodeJS.ProcessEnv = { ...base, PATH: [...new Set(dirs)].join(path.delimiter) };
  if (settings.awsProfile) env.AWS_PROFILE = settings.awsProfile;
  return env;
}

export function workerScript(): string {
  return path.join(environment.assetsPath, "worker.mjs");
}

/** The options every CLI run gets from the preferences. */
export function settingsArgs(settings: Settings): string[] {
  return ["--config", settings.configPath, ...(settings.awsCliPath ? ["--aws-cli", settings.awsCliPath] : [])];
}

/** A CLI run that ended with an error instead of results (the config, a lock, a usage mistake). */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    readonly failure: Failure,
    readonly exitCode: number,
  ) {
    super(failure.message);
  }
}

export interface CliResult<T> {
  exitCode: number;
  /** The JSON objects it printed, one per line (a target report, a status line…). */
  lines: T[];
}

/**
 * Runs `s3-smart-sync <args> --json` and returns what it printed. Throws CliError when it printed an error
 * object instead (the CLI's --json form of a failure outside any target).
 */
export function runCli<T>(
  settings: Settings,
  args: string[],
  options: { signal?: AbortSignal } = {},
): Promise<CliResult<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [workerScript(), ...args, "--json", ...settingsArgs(settings)], {
      env: childEnv(settings),
      stdio: ["ignore", "pipe", "pipe"],
      signal: options.signal,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const lines: T[] = [];
      for (const text of Buffer.concat(out).toString("utf8").split("\n")) {
        if (!text.startsWith("{")) continue;
        const value = JSON.parse(text) as T | { error: Failure };
        if (value && typeof value === "object" && "error" in value && Object.keys(value).length === 1) {
          reject(new CliError((value as { error: Failure }).error, code ?? -1));
          return;
        }
        lines.push(value as T);
      }
      if (lines.length === 0 && code !== 0) {
        const stderr = Buffer.concat(err).toString("utf8").trim();
        reject(
          new CliError(
            { code: "UNEXPECTED", message: stderr.split("\n").at(-1) || `The engine exited with code ${code}.` },
            code ?? -1,
          ),
        );
        return;
      }
      resolve({ exitCode: code ?? -1, lines });
    });
  });
}
