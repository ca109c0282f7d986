// Fills a bucket with one empty object per file of a tree of empty files (what a first sync would have
// uploaded), stored by the server directly: a million objects in seconds, no request counted.
import { readdirSync, type Dirent } from "node:fs";
import path from "node:path";
import type { BenchServer } from "./tools";

/** Relative paths of a tree's files, the tool's own files left out. */
export function treeKeys(root: string): string[] {
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as Dirent[])
    .filter((d) => d.isFile() && !d.name.startsWith(".s3-smart-sync"))
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)).split(path.sep).join("/"))
    .filter((k) => !k.startsWith("logs/"));
}

export async function seedEmptyObjects(
  server: BenchServer,
  bucket: string,
  keys: string[],
  body?: string,
): Promise<void> {
  for (let i = 0; i < keys.length; i += 50_000)
    await server.local.putEmptyObjects(bucket, keys.slice(i, i + 50_000), body);
}
