// Real mount points for the guard tests: small ext4 images on loop devices, each with its own file-system
// UUID, that can be unmounted (leaving the empty folder behind, as macOS leaves a stale /Volumes/Name) and
// mounted again with their files and inodes intact. Needs root and loop devices (CI runs as root); the tests
// fail with the reason when the machine cannot mount.
import { execa } from "execa";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export class LoopDrive {
  readonly image: string;
  private mountedAt: string | undefined;

  private constructor(readonly dir: string) {
    this.image = path.join(dir, "drive.ext4");
  }

  /** Formats a fresh ext4 image of `sizeMiB`. */
  static async create(sizeMiB = 16): Promise<LoopDrive> {
    const drive = new LoopDrive(mkdtempSync(path.join(tmpdir(), "s3ss-drive-")));
    await must("truncate", ["-s", `${sizeMiB}M`, drive.image]);
    await must("mkfs.ext4", ["-q", "-F", "-E", "root_owner=0:0", drive.image]);
    return drive;
  }

  async mount(at: string): Promise<void> {
    await must("mount", ["-o", "loop", this.image, at]);
    this.mountedAt = at;
    // A fresh ext4 holds lost+found: not something a user's drive has at its root.
    rmSync(path.join(at, "lost+found"), { recursive: true, force: true });
  }

  async unmount(): Promise<void> {
    if (!this.mountedAt) return;
    await must("umount", [this.mountedAt]);
    this.mountedAt = undefined;
  }

  async uuid(): Promise<string> {
    const run = await must("blkid", ["-s", "UUID", "-o", "value", this.image]);
    return run.trim().toLowerCase();
  }

  async dispose(): Promise<void> {
    await this.unmount().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function must(file: string, args: string[]): Promise<string> {
  const run = await execa(file, args, { reject: false });
  if (run.exitCode !== 0) {
    throw new Error(
      `${file} ${args.join(" ")} failed (exit ${run.exitCode}): ${String(run.stderr).trim()} — the guard tests need ` +
        "root, loop devices and e2fsprogs to make real mount points.",
    );
  }
  return String(run.stdout);
}
