// Checks the move tests share: the DB rows against the volume and the bucket, and the moment a held
// CopyObject reaches the local server (so another writer can change its source under it).
import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { expect } from "vitest";
import { dbRecords, listFiles } from "./library";
import type { LocalS3Control } from "./local-s3/control";
import type { Volume } from "./volume";

const md5 = (data: Buffer) => createHash("md5").update(data).digest("hex");

/** Every DB row names the file now at its path and the ETag of that file's own bytes, as the bucket holds them. */
export async function expectRowsTrue(client: S3Client, v: Volume, bucket: string): Promise<void> {
  const rows = await dbRecords(v.root);
  expect(rows.map((r) => r.path).sort()).toEqual(listFiles(v.root));
  for (const row of rows) {
    expect(row.inode, row.path).toBe(statSync(v.abs(row.path)).ino);
    if (row.etag === null || row.etag === undefined) continue;
    expect(row.etag, `ETag recorded for ${row.path}`).toBe(md5(v.read(row.path)));
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: row.path }));
    expect(head.ETag?.replaceAll('"', "")).toBe(row.etag);
  }
}

/** Waits until the proxy has seen a CopyObject (held by its latency); returns its source key. */
export async function firstCopySource(local: Pick<LocalS3Control, "requests">): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const copy = (await local.requests()).find((e) => e.op === "CopyObject" && e.source);
    if (copy) return copy.source!.key;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("no CopyObject reached the server");
}
