// A library with many kinds of moves for the failure tests: a folder rename, a swap, a 3-cycle, a chain,
// single renames across folders, plus unchanged, new and edited files.
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { openStateDb } from "../../src/engine/db";
import type { FileRecord } from "../../src/engine/types";
import { sha, type Volume } from "./volume";

export const NEW_FILE = "new/fresh.bin";
export const EDITED_FILE = "notes.txt";

/** Writes the library as it was first synced; returns its relative paths. */
export function writeLibrary(v: Volume, singles = 10): string[] {
  for (let i = 1; i <= 20; i++) v.file(`Album A/${String(i).padStart(2, "0")} Track.mp3`, 1500 + i * 37);
  v.file("swap/x.dat", 4096, "x");
  v.file("swap/y.dat", 4096, "y");
  for (const n of [1, 2, 3]) v.file(`cycle/c${n}.dat`, 3000, `c${n}`);
  for (const n of [1, 2, 3]) v.file(`chain/ch${n}.dat`, 2000 + n, `ch${n}`);
  for (let i = 1; i <= singles; i++) v.file(`Inbox/take ${i}.wav`, 1000 + i);
  for (const n of [1, 2, 3]) v.file(`keep/k${n}.txt`, 500 + n);
  v.file(EDITED_FILE, 300, "notes v1");
  return listFiles(v.root);
}

/** The reorganisation: 20 + 2 + 3 + 3 + `singles` moves, one new file, one edited file. */
export function rearrange(v: Volume, singles = 10): number {
  v.rename("Album A", "Album A (Remaster)");
  v.rename("swap/x.dat", "swap/tmp");
  v.rename("swap/y.dat", "swap/x.dat");
  v.rename("swap/tmp", "swap/y.dat");
  v.rename("cycle/c1.dat", "cycle/tmp");
  v.rename("cycle/c3.dat", "cycle/c1.dat");
  v.rename("cycle/c2.dat", "cycle/c3.dat");
  v.rename("cycle/tmp", "cycle/c2.dat");
  v.rename("chain/ch3.dat", "chain/ch4.dat");
  v.rename("chain/ch2.dat", "chain/ch3.dat");
  v.rename("chain/ch1.dat", "chain/ch2.dat");
  for (let i = 1; i <= singles; i++)
    v.rename(`Inbox/take ${i}.wav`, `Sorted/${i % 3 === 0 ? "Jazz" : "Rock"}/take ${i}.wav`);
  v.file(NEW_FILE, 700);
  v.file(EDITED_FILE, 350, "notes v2");
  return 28 + singles;
}

/** Every regular file under root (relative, `/`-separated), minus the tool's own files. */
export function listFiles(root: string, rel = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(root, rel))) {
    const child = rel ? `${rel}/${name}` : name;
    if (name.startsWith(".s3-smart-sync") || child === "logs") continue;
    if (statSync(path.join(root, child)).isDirectory()) out.push(...listFiles(root, child));
    else out.push(child);
  }
  return out.sort();
}

/** Uploads the volume's files through the SDK (faster than aws for setting up many buckets). */
export async function uploadAll(client: S3Client, bucket: string, v: Volume, files: string[]): Promise<void> {
  await Promise.all(files.map((f) => client.send(new PutObjectCommand({ Bucket: bucket, Key: f, Body: v.read(f) }))));
}

export function hashes(v: Volume, files: string[]): Record<string, string> {
  return Object.fromEntries(files.map((f) => [f, sha(v.read(f))]));
}

/** The rows of the volume's state DB, read the way the engine reads them. */
export async function dbRecords(root: string): Promise<FileRecord[]> {
  const { db } = await openStateDb({ volumeRoot: root, readOnly: true });
  try {
    return db.allFiles();
  } finally {
    db.close();
  }
}

export async function dbPaths(root: string): Promise<string[]> {
  return (await dbRecords(root)).map((r) => r.path).sort();
}
