// Replace a file so that a crash or a failed write at any point leaves either the old complete file or the
// new complete one: write a temp file in the same folder, fsync it, rename it over the target, fsync the folder.

import { open, rename, unlink } from "node:fs/promises";
import path from "node:path";

/** The file operations the write needs; tests swap one out to fail at a chosen step. */
export interface AtomicWriteIo {
  open: typeof open;
  rename: typeof rename;
  unlink: typeof unlink;
}

const defaultIo: AtomicWriteIo = { open, rename, unlink };

export function tempPathFor(target: string): string {
  return `${target}.tmp-${process.pid}`;
}

export async function writeFileAtomic(target: string, data: Uint8Array, io: AtomicWriteIo = defaultIo): Promise<void> {
  const temp = tempPathFor(target);
  try {
    const handle = await io.open(temp, "w", 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await io.rename(temp, target);
  } catch (error) {
    await io.unlink(temp).catch(() => undefined);
    throw error;
  }
  await fsyncDirectory(path.dirname(target));
}

/** Makes the rename itself durable. Some file systems refuse to fsync a folder; the rename is done anyway. */
async function fsyncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // EISDIR/EINVAL/EPERM on file systems without folder fsync (e.g. some FUSE and SMB mounts).
  } finally {
    await handle?.close();
  }
}
