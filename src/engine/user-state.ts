// A small per-user state folder that remembers, per target, which volume it was synced from. It lives off
// the volume on purpose: when a drive is not mounted, or its state DB was deleted, this is what still says
// "/Volumes/Vault was a drive with this UUID, last synced on 2026-11-20 with 12,000 files".
//
// Where: $S3_SMART_SYNC_STATE_DIR, else ~/Library/Application Support/s3-smart-sync on macOS, else
// $XDG_STATE_HOME/s3-smart-sync (~/.local/state/s3-smart-sync). One JSON file per target, written atomically.
import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { writeFileAtomic } from "./atomic-write";
import { normalizePrefix } from "./keys";
import type { Target } from "./types";

/** The volume a target was synced from, as recorded after a sync. */
export interface RecordedVolume {
  /** File system UUID when the OS gave one. */
  uuid: string | null;
  /** Whether the root was a mount point (a drive of its own). */
  mountPoint: boolean;
  fsType: string | null;
  /** The id kept in the volume's state DB. */
  dbId: string;
}

export interface TargetMemory {
  version: 1;
  localPath: string;
  bucket: string;
  prefix: string;
  endpoint: string | null;
  volume: RecordedVolume;
  lastSyncAt: string;
  /** Files the last sync recorded. */
  fileCount: number;
}

export function userStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.S3_SMART_SYNC_STATE_DIR) return env.S3_SMART_SYNC_STATE_DIR;
  const home = env.HOME || os.homedir();
  if (process.platform === "darwin") return path.join(home, "Library", "Application Support", "s3-smart-sync");
  return path.join(env.XDG_STATE_HOME || path.join(home, ".local", "state"), "s3-smart-sync");
}

type TargetKey = Pick<Target, "localPath" | "bucket" | "prefix" | "endpointUrl">;

function memoryFile(target: TargetKey, env?: NodeJS.ProcessEnv): string {
  const id = createHash("sha256")
    .update([target.localPath, target.endpointUrl ?? "", target.bucket, normalizePrefix(target.prefix)].join("\0"))
    .digest("hex")
    .slice(0, 20);
  return path.join(userStateDir(env), "targets", `${id}.json`);
}

/** What this user's machine remembers of the target; undefined when nothing (or nothing readable). */
export async function readTargetMemory(target: TargetKey, env?: NodeJS.ProcessEnv): Promise<TargetMemory | undefined> {
  try {
    const memory = JSON.parse(await readFile(memoryFile(target, env), "utf8")) as TargetMemory;
    return memory.version === 1 && memory.volume && typeof memory.volume.dbId === "string" ? memory : undefined;
  } catch {
    return undefined;
  }
}

export async function writeTargetMemory(
  target: TargetKey,
  memory: Omit<TargetMemory, "version" | "localPath" | "bucket" | "prefix" | "endpoint">,
  env?: NodeJS.ProcessEnv,
): Promise<void> {
  const file = memoryFile(target, env);
  await mkdir(path.dirname(file), { recursive: true });
  const full: TargetMemory = {
    version: 1,
    localPath: target.localPath,
    bucket: target.bucket,
    prefix: normalizePrefix(target.prefix),
    endpoint: target.endpointUrl ?? null,
    ...memory,
  };
  await writeFileAtomic(file, Buffer.from(JSON.stringify(full, null, 2) + "\n"));
}
