// `aws --version` is a Python start (about a second, more on a busy machine) on every run's way to its
// first upload, and what it says changes only when the binary does. So a working binary's answer is kept
// in the user's state folder, keyed by the file's identity (and its target's, for a symlink such as
// Homebrew's), and asked again after a day. A version manager's shim (pyenv, asdf, mise) runs whichever aws
// its settings select without changing itself: for a shim, those settings are part of the identity.
import { createHash } from "node:crypto";
import { mkdir, readFile, realpath, stat } from "node:fs/promises";
import os from "node:os";
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

/** What must stay the same for a remembered answer to hold: the file, its target, a shim's selection. */
export async function versionIdentity(file: string, env: NodeJS.ProcessEnv): Promise<string> {
  const real = await realpath(file);
  const [a, b, selection] = await Promise.all([stat(file), stat(real), shimSelection(file, env)]);
  return [a.dev, a.ino, a.size, a.mtimeMs, real, b.dev, b.ino, b.size, b.mtimeMs, selection].join(":");
}

/** Variables by which pyenv, asdf and mise (once rtx) pick a version (PYENV_VERSION, ASDF_AWSCLI_VERSION, …). */
const SELECTION_VARIABLES = /^(PYENV|ASDF|MISE|RTX)_/;
/** Files that select a version in a folder and the folders above it. */
const LOCAL_VERSION_FILES = [
  ".python-version",
  ".tool-versions",
  "mise.toml",
  ".mise.toml",
  "mise.local.toml",
  ".mise.local.toml",
];

/**
 * For a file in a `shims` folder: a digest of what selects the version behind it (its manager's variables,
 * the version files from the folder it runs in up to the root, and the global ones); "" for any other file.
 * The run starts aws in this process's folder, as this probe does.
 */
async function shimSelection(file: string, env: NodeJS.ProcessEnv): Promise<string> {
  if (path.basename(path.dirname(file)) !== "shims") return "";
  const home = env.HOME || os.homedir();
  const files: string[] = [
    path.join(path.dirname(path.dirname(file)), "version"), // pyenv's global version, beside its shims
    path.join(home, ".tool-versions"),
    path.join(env.XDG_CONFIG_HOME || path.join(home, ".config"), "mise", "config.toml"),
  ];
  for (let dir = path.resolve(env.PYENV_DIR || process.cwd()); ; dir = path.dirname(dir)) {
    for (const name of LOCAL_VERSION_FILES) files.push(path.join(dir, name));
    if (path.dirname(dir) === dir) break;
  }
  const hash = createHash("sha256");
  for (const name of Object.keys(env)
    .filter((n) => SELECTION_VARIABLES.test(n))
    .sort())
    hash.update(`${name}=${env[name]}\0`);
  const contents = await Promise.all(files.map((f) => readFile(f).catch(() => undefined)));
  files.forEach((f, i) => {
    if (contents[i]) hash.update(f).update("\0").update(contents[i]!).update("\0");
  });
  return hash.digest("hex").slice(0, 32);
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
    if (entry.id !== (await versionIdentity(file, env))) return undefined;
    return { path: file, version: entry.version, major: entry.major };
  } catch {
    return undefined;
  }
}

/**
 * Remembers a working binary's answer under `id`, its identity taken before it was asked: a binary replaced
 * while it answered (an upgrade) no longer matches and is asked again. A state folder that cannot be
 * written only costs the next run a probe.
 */
export async function rememberVersion(
  info: AwsCliInfo,
  id: string,
  env: NodeJS.ProcessEnv,
  now = Date.now(),
): Promise<void> {
  try {
    const cache = await load(env);
    cache[info.path] = { id, version: info.version, major: info.major, checkedAt: now };
    await mkdir(userStateDir(env), { recursive: true });
    await writeFileAtomic(path.join(userStateDir(env), FILE), Buffer.from(JSON.stringify(cache, null, 2) + "\n"));
  } catch {
    // best effort
  }
}
