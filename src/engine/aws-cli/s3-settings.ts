// aws's s3 settings (`max_concurrent_requests`, `multipart_chunksize`, `addressing_style`) exist only in its
// config file, under the profile's nested `s3 =` block: no flag or environment variable sets them. A target
// that needs them runs aws with a private copy of the user's config (AWS_CONFIG_FILE) whose profile carries
// them; the user's file is never written, and whatever else it says (SSO, roles, regions) still applies.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expandHome } from "../config/parse";

/** Values as aws reads them: whole numbers (a chunk size in bytes). */
export interface AwsS3Settings {
  max_concurrent_requests?: number;
  multipart_chunksize?: number;
  addressing_style?: "path" | "virtual";
}

/**
 * The addressing aws must be told to use so that it talks to the bucket as the SDK does, when its own choice
 * differs: with an endpoint URL botocore forces path style unless told `virtual`; without one it goes
 * virtual-hosted unless told `path`.
 */
export function awsAddressingStyle(target: {
  endpointUrl?: string;
  forcePathStyle?: boolean;
}): AwsS3Settings["addressing_style"] {
  if (target.endpointUrl && target.forcePathStyle === false) return "virtual";
  if (!target.endpointUrl && target.forcePathStyle === true) return "path";
  return undefined;
}

/** The profile aws will use: `--profile`, then the variables in botocore's order, then "default". */
export function awsProfileName(profile: string | undefined, env: NodeJS.ProcessEnv): string {
  return profile || env.AWS_DEFAULT_PROFILE || env.AWS_PROFILE || "default";
}

/** The section name (between the brackets) that names `profile`, as botocore reads section names. */
function profileOfSection(section: string): string | undefined {
  if (section === "default") return "default";
  if (!section.startsWith("profile")) return undefined;
  const named = /^profile\s+(?:"([^"]*)"|'([^']*)'|(\S+))\s*$/.exec(section);
  return named ? (named[1] ?? named[2] ?? named[3]) : undefined;
}

const isComment = (line: string) => /^\s*[#;]/.test(line);
const isBlank = (line: string) => line.trim() === "";
/** A continuation line of the option above it (configparser: indented deeper than the option). */
const isIndented = (line: string) => /^[ \t]/.test(line) && !isBlank(line);

/**
 * `configText` with `settings` in the `s3` block of every section that names `profile` (added when there is
 * none). Settings go last in the block: botocore reads it top to bottom and the last value of a key wins,
 * so the user's other s3 settings (addressing_style, …) stay as they were.
 */
export function withS3Settings(configText: string, profile: string, settings: AwsS3Settings): string {
  const entries = Object.entries(settings).filter(([, value]) => value !== undefined);
  if (entries.length === 0) return configText;
  const eol = configText.includes("\r\n") ? "\r\n" : "\n";
  const lines = configText.length === 0 ? [] : configText.split(/\r?\n/);
  const ours = entries.map(([key, value]) => `    ${key} = ${String(value)}`);
  const out: string[] = [];
  let found = false;
  for (let i = 0; i < lines.length; i++) {
    out.push(lines[i]);
    const header = /^\[(.+)\]\s*$/.exec(lines[i]);
    if (!header || profileOfSection(header[1]) !== profile) continue;
    found = true;
    // The section runs to the next header; its `s3` option is an unindented `s3 =` line.
    let end = i + 1;
    while (end < lines.length && !/^\[/.test(lines[end])) end++;
    const section = lines.slice(i + 1, end);
    const s3 = section.findIndex((line) => /^s3\s*[=:]/i.test(line));
    if (s3 === -1) {
      out.push("s3 =", ...ours, ...section);
    } else if (!/^s3\s*[=:]\s*$/i.test(section[s3])) {
      // `s3 = value` is not a block aws reads settings from: replaced by one (configparser refuses a key twice).
      out.push(...section.slice(0, s3), "s3 =", ...ours, ...section.slice(s3 + 1));
    } else {
      let last = s3;
      for (let j = s3 + 1; j < section.length; j++) {
        if (isIndented(section[j]) && !isComment(section[j])) last = j;
        else if (!isBlank(section[j]) && !isComment(section[j])) break;
      }
      out.push(...section.slice(0, last + 1), ...ours, ...section.slice(last + 1));
    }
    i = end - 1;
  }
  if (!found) {
    if (out.length > 0 && out[out.length - 1] !== "") out.push("");
    out.push(profile === "default" ? "[default]" : `[profile ${profile}]`, "s3 =", ...ours, "");
  }
  return out.join(eol);
}

/** The config file aws reads: AWS_CONFIG_FILE, else ~/.aws/config. */
function userConfigPath(env: NodeJS.ProcessEnv): string {
  const home = env.HOME || os.homedir();
  return expandHome(env.AWS_CONFIG_FILE || "~/.aws/config", home);
}

/**
 * The environment for one aws run with `settings` applied, and what removes the private config after it.
 * Without settings, `env` as it is (aws reads the user's config itself).
 */
export function applyS3Settings(
  env: NodeJS.ProcessEnv,
  profile: string | undefined,
  settings: AwsS3Settings,
): { env: NodeJS.ProcessEnv; dispose: () => void } {
  if (Object.values(settings).every((value) => value === undefined)) return { env, dispose: () => undefined };
  let text = "";
  try {
    text = readFileSync(userConfigPath(env), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  // 0700 folder: the copy may name roles and SSO sessions, as the user's own file does.
  const dir = mkdtempSync(path.join(os.tmpdir(), "s3ss-aws-config-"));
  const file = path.join(dir, "config");
  writeFileSync(file, withS3Settings(text, awsProfileName(profile, env), settings), { mode: 0o600 });
  return {
    env: { ...env, AWS_CONFIG_FILE: file },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
