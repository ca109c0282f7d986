// The config file `~/.s3-smart-sync.conf`: load it, create it. Parsing, validation and writing back
// live in ./config/ (one job each); this module adds the file system.

import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ConfigError, SmartSyncError } from "./errors";
import { parseConfig, type ParsedConfig } from "./config/parse";
import { sampleConfig } from "./config/sample";

export {
  applyDefaults,
  inheritedOption,
  localFolder,
  parseConfig,
  type ConfigEntry,
  type ConfigProblem,
  type ParsedConfig,
  type WrittenOptions,
  type WrittenTarget,
} from "./config/parse";
export { sampleConfig } from "./config/sample";
export {
  formatDefaultsLine,
  type AsWritten,
  formatOptionValue,
  formatTargetLine,
  removeTargetFromText,
  setDefaultsInText,
  upsertTargetInText,
} from "./config/write";
export * from "./config/schema";
export { formatByteSize, parseByteSize } from "./config/bytes";
export { splitList } from "./config/lines";

export const CONFIG_FILE_NAME = ".s3-smart-sync.conf";

export function defaultConfigPath(): string {
  return path.join(os.homedir(), CONFIG_FILE_NAME);
}

/** Reads and parses the config; throws CONFIG_MISSING when there is no file, ConfigError on any problem. */
export async function loadConfig(file: string = defaultConfigPath()): Promise<ParsedConfig> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (error) {
    if (isCode(error, "ENOENT")) {
      throw new SmartSyncError("CONFIG_MISSING", `No config file at ${file}.`, {
        hint: "Run `s3-smart-sync init` to create one, then add your targets to it.",
        cause: error,
      });
    }
    throw new SmartSyncError("CONFIG_INVALID", `Cannot read the config file ${file}: ${describe(error)}`, {
      hint: "Check the file's permissions.",
      cause: error,
    });
  }
  const config = parseConfig(bytes, file);
  if (config.problems.length > 0) throw new ConfigError(config.problems);
  return config;
}

/** Writes the sample config and returns its path; never overwrites an existing file. */
export async function initConfig(file: string = defaultConfigPath()): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  try {
    // `wx` fails if the file exists, without a race between a check and the write.
    await fs.writeFile(file, sampleConfig(), { flag: "wx" });
  } catch (error) {
    if (isCode(error, "EEXIST")) {
      throw new SmartSyncError("CONFIG_EXISTS", `A config file already exists at ${file}.`, {
        hint: "Edit it, or move it away and run init again.",
        cause: error,
      });
    }
    throw error;
  }
  return file;
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
