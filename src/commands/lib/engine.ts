// What the commands need around the engine: the wasm from the extension's assets, the config read with the
// preferences applied, and an environment in which Homebrew's aws can be found.
import { environment } from "@raycast/api";
import { stat } from "node:fs/promises";
import path from "node:path";
import { readFile } from "node:fs/promises";
import { loadSqlWasm, openStateDb, parseConfig, type LastRun, type ParsedConfig, type Target } from "../../engine";
import type { Settings } from "./preferences";
import type { Failure } from "./toast";

let wasm: Promise<Uint8Array> | undefined;

/** sql.js's wasm, copied into assets/ (a built extension has no node_modules). */
export function wasmBinary(): Promise<Uint8Array> {
  wasm ??= loadSqlWasm(path.join(environment.assetsPath, "sql-wasm.wasm"));
  wasm.catch(() => (wasm = undefined));
  return wasm;
}

/** Raycast starts commands with PATH=/usr/bin:/bin:/usr/sbin:/sbin; Homebrew's folders come first here. */
export function childEnv(settings: Settings, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const dirs = ["/opt/homebrew/bin", "/usr/local/bin", ...(base.PATH ?? "").split(path.delimiter)].filter(Boolean);
  const env: NodeJS.ProcessEnv = { ...base, PATH: [...new Set(dirs)].join(path.delimiter) };
  if (settings.awsProfile) env.AWS_PROFILE = settings.awsProfile;
  return env;
}

/** The target as the preferences complete it: the default profile and the aws CLI path when it names none. */
export function withSettings(target: Target, settings: Settings): Target {
  return {
    ...target,
    profile: target.profile ?? settings.awsProfile,
    awsCli: settings.awsCliPath ?? target.awsCli,
  };
}

export type ConfigRead =
  { kind: "missing"; file: string } | { kind: "read"; file: string; text: string; config: ParsedConfig };

/** Reads and parses the config; problems are returned with the config, never thrown. */
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

/** Why the config cannot be used, as the list views show it; undefined when it parsed cleanly. */
export function configFailure(read: ConfigRead): Failure | undefined {
  if (read.kind === "missing")
    return { code: "CONFIG_MISSING", message: `No config file at ${read.file}.`, hint: "Create it with Edit Config." };
  const first = read.config.problems[0];
  return first ? { code: "CONFIG_INVALID", message: `Line ${first.line}: ${first.message}` } : undefined;
}

export async function isMounted(localPath: string): Promise<boolean> {
  try {
    return (await stat(localPath)).isDirectory();
  } catch {
    return false;
  }
}

export function logFilePath(localPath: string, logFile: string | undefined): string | undefined {
  if (!logFile) return undefined;
  return path.isAbsolute(logFile) ? logFile : path.join(localPath, "logs", logFile);
}

/** What the volume's DB says about its last run, without scanning; null before the first sync. */
export async function readLastRun(localPath: string): Promise<LastRun | null> {
  const { db } = await openStateDb({ volumeRoot: localPath, wasmBinary: await wasmBinary(), readOnly: true });
  try {
    const text = db.getMeta("last_run");
    return text ? (JSON.parse(text) as LastRun) : null;
  } finally {
    db.close();
  }
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs engine work that takes a volume's lock one at a time: a background refresh of the list and a move
 * the user just applied must not find each other's lock and fail as if another sync were running.
 */
export function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const result = queue.then(work, work);
  queue = result.catch(() => undefined);
  return result;
}
