// Runs the real `s3-smart-sync` binary (bin/s3-smart-sync.js) as a user would, against the local S3 server.
import { execa, type Options } from "execa";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TargetReport } from "../../src/engine/report";
import { awsEnv, type LocalS3 } from "./local-s3";

export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bin/s3-smart-sync.js");

/**
 * The first `aws` on PATH, as an absolute path; the tests fail (never skip) when there is none. pyenv's shim
 * (this machine's aws-cli 1.x) is resolved to the aws it runs: the shim is shell scripts that cost every aws
 * start about 0.3 s of CPU, hundreds of times per suite. The shim itself is tested in aws-cli.test.ts.
 */
export function awsOnPath(): string {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "aws");
    if (dir && existsSync(candidate)) return behindShim(candidate);
  }
  return "aws-not-found-on-PATH";
}

function behindShim(file: string): string {
  if (path.basename(path.dirname(file)) !== "shims") return file;
  try {
    const real = execFileSync("pyenv", ["which", "aws"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return existsSync(real.trim()) ? real.trim() : file;
  } catch {
    return file;
  }
}

/** The aws CLIs the suite runs against: the first on PATH (aws-cli 1.x here) and Debian's 2.x. */
export const AWS_CLIS = [
  { name: "aws on PATH", path: awsOnPath() },
  { name: "/usr/bin/aws", path: "/usr/bin/aws" },
];

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The `--json` lines that are target reports. */
  reports: TargetReport[];
}

export async function runCli(
  args: string[],
  options: { local?: LocalS3; env?: NodeJS.ProcessEnv } & Options = {},
): Promise<CliResult> {
  const { local, env, ...rest } = options;
  const result = await execa(process.execPath, [BIN, ...args], {
    reject: false,
    env: { ...(local ? awsEnv(local) : process.env), ...env },
    extendEnv: false,
    stdin: "ignore",
    ...rest,
  });
  const stdout = String(result.stdout ?? "");
  return {
    exitCode: result.exitCode ?? -1,
    stdout,
    // A run that never exited (killed, timed out, not started) says why, for the assertion's message.
    stderr:
      withoutNodeWarnings(String(result.stderr ?? "")) + (result.exitCode === undefined ? `\n[${result.message}]` : ""),
    reports: parseReports(stdout),
  };
}

/**
 * The CLI's stderr, failing the test when it holds one of Node's own warnings (a listener leak, a
 * deprecation): those would be printed on the user's terminal, in every scenario the suite runs.
 */
export function withoutNodeWarnings(stderr: string): string {
  const warning = /^\(node:\d+\) (?:\[\w+\] )?\w*Warning: .*$/m.exec(stderr);
  if (warning) throw new Error(`the CLI printed a warning of Node's: ${warning[0]}`);
  return stderr;
}

/** Options pointing the CLI at the local server and a given aws CLI. */
export function awsCliArgs(local: LocalS3, awsPath: string): string[] {
  return ["--endpoint-url", local.endpoint, "--aws-cli", awsPath];
}

/** The `--json` lines that are target reports. */
export function parseReports(stdout: string): TargetReport[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as TargetReport)
    .filter((r) => r && typeof r === "object" && "target" in r);
}
