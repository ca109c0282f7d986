// `aws --version` is a Python start (about a second, more on a busy machine) on every run's way to its
// first upload, and what it says changes only when the binary does. So a working binary's answer is kept
// in the user's state folder, keyed by the file's identity (and its target's, for a symlink such as
// Homebrew's), and asked again after a day: a pyenv shim can switch the aws behind it without changing.
import { mkdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "../atomic-write";
import { userStateDir } from "../user-state";
import type { AwsCliInfo } from "./types";

const FILE = "aws-cli.json";
export const VERSION_CACHE_MAX_AGE_MS = 24 * 3600 * 1000;

interface Entry {
  /** Identity of the file and of the file it resolves to. */
  id: string;
  version: string;
  major: number;
  checkedAt: number;
}

type Cache = Record<string, Entry>;

async function identity(file: string): Promise<string> {
  const real = await realpath(file);
  const [a, b] = await Promise.all([stat(file), stat(real)]);
  return [a.dev, a.ino, a.size, a.mtimeMs, real, b.dev, b.ino, b.size, b.mtimeMs].join(":");
}

async function load(env: NodeJS.ProcessEnv): Promise<Cache> {
  try {
    const parsed: unknown = JSON.parse(await readFile(path.join(userStateDir(env), FILE), "utf8"));
    return parsed && typeof parsed === "object" ? (parsed as Cache) : {};
  } catch {
    return {};
  }
}

/** What `file --version` said within the last day, if the file is still the one that said it. */
export async function cachedVersion(
  file: string,
  env: NodeJS.ProcessEnv,
  now = Date.now(),
): Promise<AwsCliInfo | undefined> {
  try {
    const entry = (await load(env))[file];
    if (!entry || now - entry.checkedAt > VERSION_CACHE_MAX_AGE_MS || now < entry.checkedAt) return undefined;
    if (entry.id !== (await identity(file))) return undefined;
    return { path: file, version: entry.version, major: entry.major };
  } catch {
    return undefined;
  }
}

/** Remembers a working binary's answer; a state folder that cannot be written only costs the next run a probe. */
export async function rememberVersion(info: AwsCliInfo, env: NodeJS.ProcessEnv, now = Date.now()): Promise<void> {
  try {
    const cache = await load(env);
    cache[info.path] = { id: await identity(info.path), version: info.version, major: info.major, checkedAt: now };
    await mkdir(userStateDir(env), { recursive: true });
    await writeFileAtomic(path.join(userStateDir(env), FILE), Buffer.from(JSON.stringify(cache, null, 2) + "\n"));
  } catch {
    // best effort
  }
}
