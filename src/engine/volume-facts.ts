// What the operating system says about the volume a target's root lives on: whether the root is a mount
// point, and the file system's UUID where the OS gives one (diskutil on macOS, findmnt on Linux). The
// guards compare these with what was recorded at the last sync (a stale /Volumes/Vault folder is not a
// mount point; another drive at the same path has another UUID). Never throws: unknown facts are null.
import { execa } from "execa";
import { stat } from "node:fs/promises";
import path from "node:path";

export interface VolumeFacts {
  /** The root's device differs from its parent's, or the root is `/`. */
  isMountPoint: boolean;
  /** UUID of the file system holding the root; null when the OS does not say (tmpfs, network shares). */
  uuid: string | null;
  /** e.g. "apfs", "exfat", "ext4". */
  fsType: string | null;
}

const LOOKUP_TIMEOUT_MS = 5_000;

export async function readVolumeFacts(root: string): Promise<VolumeFacts> {
  const [isMountPoint, described] = await Promise.all([
    mountPoint(root),
    (process.platform === "darwin" ? diskutilFacts : process.platform === "linux" ? findmntFacts : noFacts)(root),
  ]);
  return { isMountPoint, ...described };
}

async function mountPoint(root: string): Promise<boolean> {
  const resolved = path.resolve(root);
  const parent = path.dirname(resolved);
  if (parent === resolved) return true;
  try {
    const [self, above] = await Promise.all([stat(resolved), stat(parent)]);
    return self.dev !== above.dev;
  } catch {
    return false;
  }
}

type Described = Pick<VolumeFacts, "uuid" | "fsType">;

async function noFacts(): Promise<Described> {
  return { uuid: null, fsType: null };
}

/** `diskutil info -plist <path>` describes the volume holding any path on it. */
async function diskutilFacts(root: string): Promise<Described> {
  const run = await execa("/usr/sbin/diskutil", ["info", "-plist", root], {
    reject: false,
    timeout: LOOKUP_TIMEOUT_MS,
  }).catch(() => undefined);
  if (!run || run.exitCode !== 0) return noFacts();
  const text = String(run.stdout);
  return {
    uuid: plistString(text, "VolumeUUID")?.toUpperCase() ?? null,
    fsType: plistString(text, "FilesystemType") ?? null,
  };
}

function plistString(plist: string, key: string): string | undefined {
  return new RegExp(`<key>${key}</key>\\s*<string>([^<]*)</string>`).exec(plist)?.[1] || undefined;
}

/** util-linux's findmnt knows the UUID of block-device file systems (none for tmpfs or overlay). */
async function findmntFacts(root: string): Promise<Described> {
  const run = await execa("findmnt", ["-J", "-o", "UUID,FSTYPE", "--target", root], {
    reject: false,
    timeout: LOOKUP_TIMEOUT_MS,
  }).catch(() => undefined);
  if (!run || run.exitCode !== 0) return noFacts();
  try {
    const parsed = JSON.parse(String(run.stdout)) as { filesystems?: { uuid?: string | null; fstype?: string }[] };
    const fs = parsed.filesystems?.[0];
    return { uuid: fs?.uuid?.toLowerCase() ?? null, fsType: fs?.fstype ?? null };
  } catch {
    return noFacts();
  }
}
