// Temporary "volumes" (folders) with files of known bytes, and what the bucket holds, for integration tests.
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { createCipheriv, createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Deterministic bytes: the same (seed, size) always gives the same content, a longer size the same bytes
 * followed by more, another seed other bytes. The keystream of AES-256-CTR keyed by the seed's sha256: no
 * repeating block (each 8 MiB part of a multipart upload differs), and a hundred times faster than a chain
 * of sha256 digests (the content-proof tests write 250 MiB of files).
 */
export function bytesFor(seed: string, size: number): Buffer {
  const cipher = createCipheriv("aes-256-ctr", createHash("sha256").update(seed).digest(), Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

export function sha(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export class Volume {
  readonly root: string;

  constructor(name = "vol") {
    this.root = mkdtempSync(path.join(tmpdir(), `s3ss-${name}-`));
  }

  abs(rel: string): string {
    return path.join(this.root, rel);
  }

  write(rel: string, content: Buffer | string): void {
    mkdirSync(path.dirname(this.abs(rel)), { recursive: true });
    writeFileSync(this.abs(rel), content);
  }

  /** Writes `size` deterministic bytes seeded by the path (or `seed`). */
  file(rel: string, size: number, seed = rel): Buffer {
    const data = bytesFor(seed, size);
    this.write(rel, data);
    return data;
  }

  read(rel: string): Buffer {
    return readFileSync(this.abs(rel));
  }

  rename(from: string, to: string): void {
    mkdirSync(path.dirname(this.abs(to)), { recursive: true });
    renameSync(this.abs(from), this.abs(to));
  }

  remove(rel: string): void {
    rmSync(this.abs(rel), { recursive: true, force: true });
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Every key under the prefix with the sha256 of its bytes, read back through the S3 API. */
export async function bucketContents(client: S3Client, bucket: string, prefix = ""): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    // A page's objects read 16 at a time (a test's bucket of 2,100 keys took seconds one by one); the record
    // keeps the listing's key order.
    const keys = (page.Contents ?? []).map((object) => object.Key!);
    const digests: string[] = [];
    let next = 0;
    const reader = async () => {
      for (let i = next++; i < keys.length; i = next++) {
        const body = await client.send(new GetObjectCommand({ Bucket: bucket, Key: keys[i] }));
        digests[i] = sha(Buffer.from(await body.Body!.transformToByteArray()));
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, keys.length) }, reader));
    keys.forEach((key, i) => (out[key] = digests[i]));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** What the bucket should hold for a volume: every file's key and hash, minus what the test says to leave out. */
export function expectedContents(volume: Volume, files: string[], prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of files) out[prefix ? `${prefix}/${rel}` : rel] = sha(volume.read(rel));
  return out;
}
