// Does a bucket hold exactly the volume, byte for byte? Every object is read back with GetObject and its
// MD5 compared with the local file's; keys without a file and files without a key are counted too.
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { createReadStream, readdirSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { createExcludeMatcher, TOOL_EXCLUDES } from "../../src/engine/filters";
import { s3ClientConfig } from "../../test/support/local-s3/server-api";

export interface BucketCheck {
  matches: boolean;
  objects: number;
  files: number;
  missing: number;
  extra: number;
  different: number;
  examples: string[];
}

function localFiles(root: string): string[] {
  const excluded = createExcludeMatcher(root, [...TOOL_EXCLUDES]);
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)).split(path.sep).join("/"))
    .filter((rel) => !excluded(rel));
}

async function md5(stream: Readable): Promise<string> {
  const hash = createHash("md5");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

export async function checkBucket(endpoint: string, bucket: string, root: string): Promise<BucketCheck> {
  const client = new S3Client(s3ClientConfig({ endpoint }));
  try {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const o of page.Contents ?? []) keys.push(o.Key!);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const files = localFiles(root);
    const keySet = new Set(keys);
    const fileSet = new Set(files);
    const missing = files.filter((f) => !keySet.has(f));
    const extra = keys.filter((k) => !fileSet.has(k));
    const different: string[] = [];
    await pool(
      files.filter((f) => keySet.has(f)),
      8,
      async (rel) => {
        const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: rel }));
        const [remote, local] = await Promise.all([
          md5(object.Body as Readable),
          md5(createReadStream(path.join(root, rel))),
        ]);
        if (remote !== local) different.push(rel);
      },
    );
    return {
      matches: missing.length + extra.length + different.length === 0,
      objects: keys.length,
      files: files.length,
      missing: missing.length,
      extra: extra.length,
      different: different.length,
      examples: [
        ...missing.map((k) => `missing ${k}`),
        ...extra.map((k) => `extra ${k}`),
        ...different.map((k) => `differs ${k}`),
      ].slice(0, 5),
    };
  } finally {
    client.destroy();
  }
}
