// The config as the commands read it: parsed in-process (a small text file), with its problems returned,
// never thrown. Everything that touches a volume or S3 goes through the CLI child instead (./cli.ts).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { parseConfig, type ParsedConfig } from "../../engine/config";
import type { Target } from "../../engine/types";
import type { Failure } from "./failure";

export type ConfigRead =
  { kind: "missing"; file: string } | { kind: "read"; file: string; text: string; config: ParsedConfig };

export async function readConfig(file: string): Promise<ConfigRead> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing", file };
    throw error;
  }
  return { kind: "read", file, text, config: parseConfig(text, file) };
}

export const NO_CONFIG_CODE = "CONFIG_MISSING";

/** Why the config cannot be used, as the views show it; undefined when it parsed cleanly. */
export function configFailure(read: ConfigRead): Failure | undefined {
  if (read.kind === "missing")
    return { code: NO_CONFIG_CODE, message: `No config file at ${read.file}.`, hint: "Create it, then add targets." };
  const { problems } = read.config;
  const first = problems[0];
  if (!first) return undefined;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : "";
  return { code: "CONFIG_INVALID", message: `Line ${first.line}: ${first.message}${more}` };
}

/** The targets of a usable config; throws nothing, returns [] otherwise. */
export function targetsOf(read: ConfigRead): Target[] {
  return read.kind === "read" && read.config.problems.length === 0 ? read.config.targets : [];
}

/** A run log named in a report or last run: relative names live in `<volume>/logs/`. */
export function logFilePath(localPath: string, logFile: string | undefined): string | undefined {
  if (!logFile) return undefined;
  return path.isAbsolute(logFile) ? logFile : path.join(localPath, "logs", logFile);
}

/** AWS's own S3 (the console can show it); S3-compatible stores have an endpoint of their own. */
export function isAwsEndpoint(target: Pick<Target, "endpointUrl">): boolean {
  if (!target.endpointUrl) return true;
  try {
    const host = new URL(target.endpointUrl).hostname;
    return host === "amazonaws.com" || host.endsWith(".amazonaws.com");
  } catch {
    return false;
  }
}
