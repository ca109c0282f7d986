// Finds the aws CLI. Raycast starts commands with PATH=/usr/bin:/bin:/usr/sbin:/sbin, so the Homebrew
// locations are tried after PATH; an explicit path (a preference or the config) always wins.
import { constants, existsSync } from "node:fs";
import { access, stat } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { AwsCliError } from "../errors";
import type { AwsCliInfo } from "./types";
import { cachedVersion, rememberVersion, versionIdentity } from "./version-cache";

export const WELL_KNOWN_AWS_PATHS = ["/opt/homebrew/bin/aws", "/usr/local/bin/aws", "/usr/bin/aws"];
const VERSION_TIMEOUT_MS = 20_000;
const INSTALL_HINT =
  'Install it ("brew install awscli" on macOS) or set the path of the aws binary in the preferences or the config.';

export interface LocateOptions {
  /** Path of the aws binary chosen by the user; no fallback when it does not work. */
  explicit?: string;
  env?: NodeJS.ProcessEnv;
}

/** The places to look, in order, without duplicates. */
export function awsCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromPath = (env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => dir !== "" && path.isAbsolute(dir))
    .map((dir) => path.join(dir, "aws"));
  return [...new Set([...fromPath, ...WELL_KNOWN_AWS_PATHS])];
}

/** "aws-cli/2.9.19 Python/3.11.2 …" → version and major; v1 prints it on stderr, v2 on stdout. */
export function parseAwsVersion(output: string): { version: string; major: number } | undefined {
  const match = /aws-cli\/(\d+)\.(\d+)\.(\d+)/.exec(output);
  return match ? { version: `${match[1]}.${match[2]}.${match[3]}`, major: Number(match[1]) } : undefined;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The binary's version, from the cache when the binary has not changed since it was asked. */
async function probe(file: string, env: NodeJS.ProcessEnv): Promise<AwsCliInfo> {
  const cached = await cachedVersion(file, env);
  if (cached) return cached;
  const id = await versionIdentity(file, env).catch(() => undefined);
  const info = await askVersion(file, env);
  if (id !== undefined) await rememberVersion(info, id, env);
  return info;
}

async function askVersion(file: string, env: NodeJS.ProcessEnv): Promise<AwsCliInfo> {
  const result = await execa(file, ["--version"], {
    env,
    extendEnv: false,
    reject: false,
    timeout: VERSION_TIMEOUT_MS,
    stdin: "ignore",
  });
  const output = `${result.stdout}\n${result.stderr}`;
  const parsed = parseAwsVersion(output);
  if (result.exitCode !== 0 || !parsed) {
    const said = output.trim().split("\n").at(-1) || result.shortMessage;
    throw new Error(`${file} --version did not answer as the aws CLI (${said})`);
  }
  return { path: file, ...parsed };
}

/** Locates a working aws CLI and reads its version; throws AwsCliError AWS_CLI_MISSING otherwise. */
export async function locateAwsCli(options: LocateOptions = {}): Promise<AwsCliInfo> {
  const env = options.env ?? process.env;
  if (options.explicit) {
    const file = resolveExplicit(options.explicit, env);
    if (!(await isExecutableFile(file))) {
      throw new AwsCliError("AWS_CLI_MISSING", `The aws CLI set for this tool was not found: ${file}`, {
        hint: `Fix the aws CLI path, or clear it to use the one on PATH. ${INSTALL_HINT}`,
      });
    }
    try {
      return await probe(file, env);
    } catch (error) {
      throw new AwsCliError("AWS_CLI_MISSING", `The aws CLI set for this tool does not work: ${describe(error)}`, {
        hint: "Fix the aws CLI path, or clear it to use the one on PATH.",
        cause: error,
      });
    }
  }
  const problems: string[] = [];
  for (const file of awsCandidates(env)) {
    if (!(await isExecutableFile(file))) continue;
    try {
      return await probe(file, env);
    } catch (error) {
      // A broken shim (pyenv without that version, say) should not hide a working aws further on.
      problems.push(describe(error));
    }
  }
  const tried = problems.length > 0 ? ` Found but not working: ${problems.join("; ")}.` : "";
  throw new AwsCliError(
    "AWS_CLI_MISSING",
    `The aws CLI was not found (looked in PATH and ${WELL_KNOWN_AWS_PATHS.join(", ")}).${tried}`,
    {
      hint: INSTALL_HINT,
    },
  );
}

/** "~/bin/aws" → home-relative; a bare name ("aws2") → first match on PATH. */
function resolveExplicit(explicit: string, env: NodeJS.ProcessEnv): string {
  if (explicit === "~" || explicit.startsWith("~/")) return path.join(homedir(), explicit.slice(1));
  if (!explicit.includes("/")) {
    const dirs = (env.PATH ?? "").split(path.delimiter).filter((dir) => path.isAbsolute(dir));
    const found = dirs.map((dir) => path.join(dir, explicit)).find((file) => existsSync(file));
    if (found) return found;
  }
  return path.resolve(explicit);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
