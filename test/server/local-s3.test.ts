// Pins the S3 behaviours of the local test server that the tool and aws CLI rely on, through the
// AWS SDK and through both real aws CLIs (1.x first on PATH, 2.x at /usr/bin/aws).
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  RestoreObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
  type ListObjectsV2CommandOutput,
} from "@aws-sdk/client-s3";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INVALID_ACCESS_KEY_ID } from "../support/local-s3/control";
import { awsEnv, connectLocalS3, s3ClientConfig, startLocalS3, useLocalS3, type LocalS3 } from "../support/local-s3";

const MiB = 1024 * 1024;
const local = useLocalS3({ buckets: ["pinned"] });
let s3: S3Client;
let scratch: string;

beforeAll(() => {
  s3 = new S3Client({ ...s3ClientConfig(local), maxAttempts: 1 });
  scratch = mkdtempSync(join(tmpdir(), "local-s3-test-"));
});
afterAll(() => {
  s3?.destroy();
  rmSync(scratch, { recursive: true, force: true });
});

let bucketSeq = 0;
async function newBucket(): Promise<string> {
  const name = `bucket-${++bucketSeq}-${process.pid}`;
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

async function put(bucket: string, key: string, body: string | Buffer = key, extra: object = {}) {
  return s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...extra }));
}

async function listAll(bucket: string, params: { Prefix?: string; MaxKeys?: number; StartAfter?: string } = {}) {
  const keys: string[] = [];
  const pages: ListObjectsV2CommandOutput[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token, ...params }));
    pages.push(page);
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
    expect(pages.length).toBeLessThan(1_000);
  } while (token);
  return { keys, pages };
}

async function text(bucket: string, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToString();
}

/** Runs an S3 call that must fail; returns the SDK error. */
async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the S3 call to fail");
}

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const encodeKey = (key: string) => key.split("/").map(encodeURIComponent).join("/");

const CLIS = [
  { name: "aws-cli 1 (first on PATH)", bin: "aws", major: "1" },
  { name: "aws-cli 2 (/usr/bin/aws)", bin: "/usr/bin/aws", major: "2" },
] as const;

async function aws(bin: string, args: string[], server: LocalS3 = local) {
  const result = await execa(bin, ["--endpoint-url", server.endpoint, ...args], {
    env: awsEnv(server),
    reject: false,
    timeout: 120_000,
  });
  if (result.exitCode !== 0) {
    throw new Error(`${bin} ${args.join(" ")} exited ${result.exitCode}\n${result.stderr}\n${result.stdout}`);
  }
  return result.stdout;
}

describe("the aws CLIs this suite needs", () => {
  it.each(CLIS)("$name is installed", async ({ bin, major }) => {
    const { stdout, stderr } = await execa(bin, ["--version"]);
    expect(`${stdout}${stderr}`).toMatch(new RegExp(`^aws-cli/${major}\\.`));
  });
});

describe("listing", () => {
  const awkward = ["a", "B", "é", "e\u0301", "Z", "_", "~", "日本", "\uFFFD", "\u{1F600}", "a/b", "a-b", "a0"];

  it("lists keys in UTF-8 byte order, not locale or UTF-16 order", async () => {
    const bucket = await newBucket();
    for (const key of awkward) await put(bucket, key);
    const { keys } = await listAll(bucket);
    expect(keys).toEqual([...awkward].sort(byteOrder));
    expect(keys).toEqual(["B", "Z", "_", "a", "a-b", "a/b", "a0", "e\u0301", "~", "é", "日本", "\uFFFD", "\u{1F600}"]);
  });

  it("paginates with max-keys 2, continuation tokens and StartAfter without loss or repeats", async () => {
    const bucket = await newBucket();
    for (const key of awkward) await put(bucket, key);
    const { keys, pages } = await listAll(bucket, { MaxKeys: 2 });
    expect(keys).toEqual([...awkward].sort(byteOrder));
    expect(pages.length).toBe(Math.ceil(awkward.length / 2));
    expect(pages.every((p) => (p.Contents?.length ?? 0) <= 2)).toBe(true);
    expect(pages.at(-1)!.IsTruncated).toBe(false);

    const after = await listAll(bucket, { MaxKeys: 2, StartAfter: "é" });
    expect(after.keys).toEqual(["日本", "\uFFFD", "\u{1F600}"]);
  });

  it("lists a prefix after StartAfter and follows puts and deletes between pages", async () => {
    const bucket = await newBucket();
    for (const key of ["p/a", "p/b", "p/c", "q/a", "o/z"]) await put(bucket, key);
    expect((await listAll(bucket, { Prefix: "p/", StartAfter: "p/a" })).keys).toEqual(["p/b", "p/c"]);
    expect((await listAll(bucket, { Prefix: "p/", StartAfter: "o" })).keys).toEqual(["p/a", "p/b", "p/c"]);
    const first = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "p/", MaxKeys: 1 }));
    await put(bucket, "p/bb");
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "p/c" }] } }));
    const rest = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: "p/", ContinuationToken: first.NextContinuationToken }),
    );
    expect([...first.Contents!, ...rest.Contents!].map((o) => o.Key)).toEqual(["p/a", "p/b", "p/bb"]);
  });

  it("paginates common prefixes with a delimiter without repeating them", async () => {
    const bucket = await newBucket();
    for (const key of ["a/1", "a/2", "b", "c/1", "c/2", "d", "e/x/y"]) await put(bucket, key);
    const prefixes: string[] = [];
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/", MaxKeys: 2, ContinuationToken: token }),
      );
      prefixes.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
      keys.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    expect(prefixes).toEqual(["a/", "c/", "e/"]);
    expect(keys).toEqual(["b", "d"]);
  });

  it.each(CLIS)("$name paginates list-objects-v2 (page size 2) in byte order", async ({ bin }) => {
    const bucket = await newBucket();
    for (const key of awkward) await put(bucket, key);
    const out = JSON.parse(await aws(bin, ["s3api", "list-objects-v2", "--bucket", bucket, "--page-size", "2"]));
    expect(out.Contents.map((o: { Key: string }) => o.Key)).toEqual([...awkward].sort(byteOrder));
  });
});

describe("CopyObject", () => {
  const keys = [
    "with space.txt",
    "plus+sign.txt",
    "per%cent.txt",
    "hash#tag.txt",
    "what?.txt",
    "dir/ünï cødé/日本.mp3",
  ];

  it.each(keys)("decodes a per-segment encoded CopySource for %j", async (key) => {
    const bucket = await newBucket();
    await put(bucket, key, `content of ${key}`);
    await s3.send(
      new CopyObjectCommand({ Bucket: bucket, Key: `copy/${key}`, CopySource: `${bucket}/${encodeKey(key)}` }),
    );
    expect(await text(bucket, `copy/${key}`)).toBe(`content of ${key}`);
    expect((await listAll(bucket)).keys.sort(byteOrder)).toEqual([`copy/${key}`, key].sort(byteOrder));
  });

  it.each(CLIS)("$name moves awkward keys server-side (aws s3 mv)", async ({ bin }) => {
    const bucket = await newBucket();
    for (const key of keys) await put(bucket, key, `content of ${key}`);
    await local.resetStats();
    await aws(bin, ["s3", "mv", "--recursive", `s3://${bucket}/`, `s3://${bucket}/moved/`]);
    expect((await listAll(bucket)).keys).toEqual(keys.map((k) => `moved/${k}`).sort(byteOrder));
    for (const key of keys) expect(await text(bucket, `moved/${key}`)).toBe(`content of ${key}`);
    const stats = await local.stats();
    expect(stats.ops.CopyObject?.count).toBe(keys.length);
    expect(stats.uploadedBytes).toBe(0);
  });

  it("refuses a copy whose CopySourceIfMatch is not the source's current ETag (412)", async () => {
    const bucket = await newBucket();
    const first = await put(bucket, "src", "v1");
    await put(bucket, "src", "v2");
    const err = await failure(
      s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: "dst",
          CopySource: `${bucket}/src`,
          CopySourceIfMatch: first.ETag,
        }),
      ),
    );
    expect(err.name).toBe("PreconditionFailed");
    expect(err.$metadata?.httpStatusCode).toBe(412);
    expect((await listAll(bucket)).keys).toEqual(["src"]);

    const current = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "src" }));
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: "dst",
        CopySource: `${bucket}/src`,
        CopySourceIfMatch: current.ETag,
      }),
    );
    expect(await text(bucket, "dst")).toBe("v2");
  });

  it("refuses an UploadPartCopy whose CopySourceIfMatch does not match (412)", async () => {
    const bucket = await newBucket();
    await put(bucket, "src", "source bytes");
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "dst" }));
    const err = await failure(
      s3.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: "dst",
          UploadId,
          PartNumber: 1,
          CopySource: `${bucket}/src`,
          CopySourceIfMatch: '"00000000000000000000000000000000"',
        }),
      ),
    );
    expect(err.$metadata?.httpStatusCode).toBe(412);
  });

  it("refuses PutObject If-None-Match: * on an existing key (412) and allows it on a new one", async () => {
    const bucket = await newBucket();
    await put(bucket, "k", "one", { IfNoneMatch: "*" });
    const err = await failure(put(bucket, "k", "two", { IfNoneMatch: "*" }));
    expect(err.$metadata?.httpStatusCode).toBe(412);
    expect(await text(bucket, "k")).toBe("one");
  });
});

describe("storage classes and archived objects", () => {
  async function classes(bucket: string): Promise<Record<string, string | undefined>> {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    return Object.fromEntries((out.Contents ?? []).map((o) => [o.Key!, o.StorageClass]));
  }

  it("remembers the class of PutObject, multipart and CopyObject; a copy without one is STANDARD", async () => {
    const bucket = await newBucket();
    await put(bucket, "plain");
    await put(bucket, "ia", "x", { StorageClass: "STANDARD_IA" });
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: "multi", StorageClass: "ONEZONE_IA" }),
    );
    const part = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: "multi", UploadId, PartNumber: 1, Body: "p" }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: "multi",
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "copy-default", CopySource: `${bucket}/ia` }));
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: "copy-kept",
        CopySource: `${bucket}/ia`,
        StorageClass: "STANDARD_IA",
      }),
    );
    expect(await classes(bucket)).toEqual({
      plain: "STANDARD",
      ia: "STANDARD_IA",
      multi: "ONEZONE_IA",
      "copy-default": "STANDARD",
      "copy-kept": "STANDARD_IA",
    });
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "ia" }));
    expect(head.StorageClass).toBe("STANDARD_IA");
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "plain" }))).StorageClass).toBeUndefined();
  });

  it.each(CLIS)("$name uploads with --storage-class", async ({ bin }) => {
    const bucket = await newBucket();
    const file = join(scratch, `sc-${bucket}.txt`);
    writeFileSync(file, "x");
    await aws(bin, ["s3", "cp", file, `s3://${bucket}/f.txt`, "--storage-class", "GLACIER_IR"]);
    expect(await classes(bucket)).toEqual({ "f.txt": "GLACIER_IR" });
  });

  it("refuses GetObject and CopyObject on GLACIER until a restore completes", async () => {
    const bucket = await newBucket();
    await put(bucket, "cold", "frozen", { StorageClass: "GLACIER" });
    const getErr = await failure(text(bucket, "cold"));
    expect(getErr.name).toBe("InvalidObjectState");
    expect(getErr.$metadata?.httpStatusCode).toBe(403);
    const copyErr = await failure(
      s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "warm", CopySource: `${bucket}/cold` })),
    );
    expect(copyErr.name).toBe("InvalidObjectState");

    const restore = new RestoreObjectCommand({
      Bucket: bucket,
      Key: "cold",
      RestoreRequest: { Days: 7, GlacierJobParameters: { Tier: "Bulk" } },
    });
    const started = await s3.send(restore);
    expect(started.$metadata.httpStatusCode).toBe(202);
    const ongoing = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "cold" }));
    expect(ongoing.Restore).toBe('ongoing-request="true"');
    expect(ongoing.StorageClass).toBe("GLACIER");
    expect((await failure(s3.send(restore))).name).toBe("RestoreAlreadyInProgress");
    expect((await failure(text(bucket, "cold"))).name).toBe("InvalidObjectState");

    await local.completeRestore(bucket, "cold");
    const done = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "cold" }));
    expect(done.Restore).toMatch(/^ongoing-request="false", expiry-date=".+ GMT"$/);
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "warm", CopySource: `${bucket}/cold` }));
    expect(await text(bucket, "warm")).toBe("frozen");
    expect(await classes(bucket)).toEqual({ cold: "GLACIER", warm: "STANDARD" });
  });

  it("refuses RestoreObject on STANDARD objects and Expedited on DEEP_ARCHIVE", async () => {
    const bucket = await newBucket();
    await put(bucket, "hot");
    await put(bucket, "deep", "x", { StorageClass: "DEEP_ARCHIVE" });
    const restore = (Key: string, Tier: "Expedited" | "Standard") =>
      s3.send(
        new RestoreObjectCommand({ Bucket: bucket, Key, RestoreRequest: { Days: 1, GlacierJobParameters: { Tier } } }),
      );
    expect((await failure(restore("hot", "Standard"))).name).toBe("InvalidObjectState");
    expect((await failure(restore("deep", "Expedited"))).$metadata?.httpStatusCode).toBe(400);
    expect((await restore("deep", "Standard")).$metadata.httpStatusCode).toBe(202);
  });

  it("marks objects archived through control (Intelligent-Tiering archive tier) and restores after a delay", async () => {
    const bucket = await newBucket();
    await put(bucket, "it", "tiered");
    await local.setStorageClass(bucket, "it", "INTELLIGENT_TIERING", "ARCHIVE_ACCESS");
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "it" }));
    expect(head.StorageClass).toBe("INTELLIGENT_TIERING");
    expect(head.ArchiveStatus).toBe("ARCHIVE_ACCESS");
    expect((await failure(text(bucket, "it"))).name).toBe("InvalidObjectState");

    await local.setRestoreDelay(100);
    try {
      await s3.send(new RestoreObjectCommand({ Bucket: bucket, Key: "it", RestoreRequest: {} }));
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await local.setRestoreDelay(undefined);
    }
    expect(await text(bucket, "it")).toBe("tiered");
    expect((await local.objectInfo(bucket, "it"))?.storageClass).toBe("INTELLIGENT_TIERING");
  });
});

describe("accounting", () => {
  it.each(CLIS)("$name: a 20 MiB multipart upload counts ≥ 20 MiB, a server-side copy 0", async ({ bin }) => {
    const bucket = await newBucket();
    const file = join(scratch, `big-${bucket}.bin`);
    writeFileSync(file, Buffer.alloc(20 * MiB, 7));
    await local.resetStats();
    await aws(bin, ["s3", "cp", file, `s3://${bucket}/big.bin`]);
    const stats = await local.stats();
    expect(stats.uploadedBytes).toBeGreaterThanOrEqual(20 * MiB);
    expect(stats.ops.UploadPart?.count).toBeGreaterThanOrEqual(3);
    expect(stats.ops.CompleteMultipartUpload?.count).toBe(1);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "big.bin" }));
    expect(head.ContentLength).toBe(20 * MiB);
    expect(head.ETag).toMatch(/-\d+"$/);
    unlinkSync(file);

    await local.resetStats();
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "copy.bin", CopySource: `${bucket}/big.bin` }));
    const after = await local.stats();
    expect(after.uploadedBytes).toBe(0);
    expect(after.ops.CopyObject).toEqual({ count: 1, bytes: 0 });
  });

  it("logs every request in order with operation, key and status", async () => {
    const bucket = await newBucket();
    await local.resetStats();
    await put(bucket, "x/1");
    await failure(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "missing" })));
    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "x/2", CopySource: `${bucket}/x/1` }));
    await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "x/1" }, { Key: "a&b" }] } }));
    const log = await local.requests();
    expect(log.map(({ op, key, status, source, keys }) => ({ op, key, status, source, keys }))).toEqual([
      { op: "PutObject", key: "x/1", status: 200 },
      { op: "HeadObject", key: "missing", status: 404 },
      { op: "CopyObject", key: "x/2", status: 200, source: { bucket, key: "x/1" } },
      { op: "DeleteObjects", key: "", status: 200, keys: ["x/1", "a&b"] },
    ]);
    expect((await listAll(bucket)).keys).toEqual(["x/2"]);
    expect(log.map((e) => e.seq)).toEqual([...log.map((e) => e.seq)].sort((a, b) => a - b));
    expect((await local.stats()).ops.PutObject).toEqual({ count: 1, bytes: 3 });
  });

  it("is reachable from another client by endpoint alone", async () => {
    const other = connectLocalS3(local.endpoint);
    await other.resetStats();
    await s3.send(new ListObjectsV2Command({ Bucket: "pinned" }));
    expect((await other.stats()).ops.ListObjectsV2?.count).toBe(1);
  });
});

describe("faults", () => {
  it("answers 503 SlowDown at rate 1.0", async () => {
    const bucket = await newBucket();
    await local.setFaults({ slowDownRate: 1 });
    try {
      const err = await failure(put(bucket, "k"));
      expect(err.name).toBe("SlowDown");
      expect(err.$metadata?.httpStatusCode).toBe(503);
    } finally {
      await local.clearFaults();
    }
    await put(bucket, "k");
  });

  it("restricts faults to the given operations", async () => {
    const bucket = await newBucket();
    await local.setFaults({ internalErrorRate: 1, operations: ["CopyObject"] });
    try {
      await put(bucket, "k");
      const err = await failure(
        s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "k2", CopySource: `${bucket}/k` })),
      );
      expect(err.name).toBe("InternalError");
      expect(err.$metadata?.httpStatusCode).toBe(500);
    } finally {
      await local.clearFaults();
    }
  });

  it("drops connections: the SDK sees a network error without an HTTP status", async () => {
    const bucket = await newBucket();
    await local.setFaults({ dropRate: 1 });
    try {
      const err = await failure(put(bucket, "k"));
      expect(err.$metadata?.httpStatusCode).toBeUndefined();
      expect(`${err.name} ${err.message} ${(err as { code?: string }).code}`).toMatch(
        /ECONNRESET|socket hang up|EPIPE/i,
      );
    } finally {
      await local.clearFaults();
    }
  });

  it("fails every request after N, and replays the same seeded pattern", async () => {
    const bucket = await newBucket();
    await local.setFaults({ failAfterRequests: 2, failMode: "InternalError" });
    try {
      await put(bucket, "a");
      await put(bucket, "b");
      expect((await failure(put(bucket, "c"))).name).toBe("InternalError");
      expect((await failure(put(bucket, "d"))).name).toBe("InternalError");
    } finally {
      await local.clearFaults();
    }

    const pattern = async () => {
      await local.setFaults({ slowDownRate: 0.5, seed: 42 });
      const outcomes: boolean[] = [];
      for (let i = 0; i < 12; i++)
        outcomes.push(
          await put(bucket, `p${i}`).then(
            () => true,
            () => false,
          ),
        );
      await local.clearFaults();
      return outcomes;
    };
    const first = await pattern();
    expect(first).toContain(true);
    expect(first).toContain(false);
    expect(await pattern()).toEqual(first);
  });

  it("stops answering (network down) until the faults are cleared", async () => {
    const bucket = await newBucket();
    await local.resetStats();
    await local.setFaults({ hang: true });
    try {
      const err = await failure(
        s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x" }), {
          abortSignal: AbortSignal.timeout(500),
        }),
      );
      expect(err.$metadata?.httpStatusCode).toBeUndefined();
      expect((await local.requests()).map(({ op, fault, status }) => ({ op, fault, status }))).toEqual([
        { op: "PutObject", fault: "hang", status: 0 },
      ]);
    } finally {
      await local.clearFaults();
    }
    await put(bucket, "k");
  });
});

describe("compatibility fixes", () => {
  it("accepts part ETags escaped as &#34; in CompleteMultipartUpload (Go clients)", async () => {
    const bucket = await newBucket();
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "go" }));
    const part = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: "go", UploadId, PartNumber: 1, Body: "go!" }),
    );
    const etag = part.ETag!.replaceAll('"', "&#34;");
    const res = await fetch(`${local.endpoint}/${bucket}/go?uploadId=${UploadId}`, {
      method: "POST",
      body: `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`,
    });
    expect(res.status).toBe(200);
    expect(await text(bucket, "go")).toBe("go!");
  });
});

describe("aws s3 sync --delete", () => {
  const names = [
    "plain.txt",
    "with space.mp3",
    "plus+sign.flac",
    "per%cent.txt",
    "hash#tag.txt",
    "question?.txt",
    "amp&ersand.txt",
    "quote'single.txt",
    'quote"double.txt',
    "brackets[1].txt",
    "braces{x}.txt",
    "semi;colon.txt",
    "equals=sign.txt",
    "comma,name.txt",
    "at@sign.txt",
    "dollar$.txt",
    "tilde~.txt",
    "café.txt",
    "cafe\u0301.txt",
    "日本語/歌.mp3",
    "Ünïcödé/Äpfel.txt",
    "emoji😀.txt",
    "UPPER.TXT",
    "upper.txt",
    "a/b/c/deep.txt",
    "a-b/x.txt",
    "a/b-c.txt",
    "a0/z.txt",
    "_under.txt",
    "-dash.txt",
  ];

  it.each(CLIS)("$name ends with the exact key set under a prefix", async ({ bin }) => {
    const bucket = await newBucket();
    await put(bucket, "outside/keep.txt");
    const dir = join(scratch, `sync-${bucket}`);
    for (const name of names) {
      mkdirSync(join(dir, name, ".."), { recursive: true });
      writeFileSync(join(dir, name), `bytes of ${name}`);
    }
    await aws(bin, ["s3", "sync", dir, `s3://${bucket}/music`, "--delete"]);
    const expected = (list: string[]) => ["outside/keep.txt", ...list.map((n) => `music/${n}`)].sort(byteOrder);
    expect((await listAll(bucket)).keys).toEqual(expected(names));

    // Remove some, rename some, add one: a second sync must converge exactly.
    const now = names.filter((_, i) => i % 3 !== 0);
    for (const [i, name] of names.entries()) if (i % 3 === 0) unlinkSync(join(dir, name));
    renameSync(join(dir, "with space.mp3"), join(dir, "renamed.mp3"));
    const final = [...now.filter((n) => n !== "with space.mp3"), "renamed.mp3", "new file.txt"];
    writeFileSync(join(dir, "new file.txt"), "new");
    await aws(bin, ["s3", "sync", dir, `s3://${bucket}/music`, "--delete"]);
    expect((await listAll(bucket)).keys).toEqual(expected(final));

    // A third sync has nothing to do.
    await local.resetStats();
    await aws(bin, ["s3", "sync", dir, `s3://${bucket}/music`, "--delete"]);
    const stats = await local.stats();
    expect(stats.uploadedBytes).toBe(0);
    expect(stats.ops.DeleteObject?.count ?? 0).toBe(0);
    expect(stats.ops.DeleteObjects?.count ?? 0).toBe(0);
  });
});

describe("process lifecycle", () => {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const waitGone = async (pid: number) => {
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    return !alive(pid);
  };

  it("starts quickly and stop() kills the child", async () => {
    const t0 = Date.now();
    const server = await startLocalS3({ buckets: ["quick"] });
    // About 0.7 s on an idle machine; the bound leaves room for the shared, loaded CI cores.
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(alive(server.pid)).toBe(true);
    await server.stop();
    expect(alive(server.pid)).toBe(false);
    await server.stop();
  });

  it("the child exits when its parent is killed", async () => {
    const script = join(scratch, "parent.mts");
    const entry = new URL("../support/local-s3.ts", import.meta.url).pathname;
    writeFileSync(
      script,
      `import { startLocalS3 } from ${JSON.stringify(entry)};\n` +
        `const s = await startLocalS3();\nconsole.log(s.pid);\nsetInterval(() => {}, 1000);\n`,
    );
    const parent = execa(process.execPath, ["--import", "tsx", script], { reject: false, cwd: process.cwd() });
    const pid = await new Promise<number>((resolve, reject) => {
      parent.stdout!.on("data", (d: Buffer) => resolve(Number(String(d).trim())));
      parent.catch(reject);
      setTimeout(() => reject(new Error("parent did not start the server")), 20_000);
    });
    expect(alive(pid)).toBe(true);
    parent.kill("SIGKILL");
    await parent;
    expect(await waitGone(pid)).toBe(true);
  });
});

describe("credentials and regions", () => {
  const presignedQuery = (akid: string, region: string) =>
    `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent(`${akid}/20250101/${region}/s3/aws4_request`)}` +
    "&X-Amz-Date=20250101T000000Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00";
  const clientFor = (options: { accessKeyId?: string; region?: string }) =>
    new S3Client({
      ...s3ClientConfig(local),
      maxAttempts: 1,
      region: options.region ?? "us-east-1",
      credentials: { accessKeyId: options.accessKeyId ?? "local", secretAccessKey: "local-secret" },
    });

  it("answers an unknown access key id with 403 InvalidAccessKeyId and changes nothing", async () => {
    const bucket = await newBucket();
    await put(bucket, "kept");
    const bad = clientFor({ accessKeyId: INVALID_ACCESS_KEY_ID });
    try {
      const err = await failure(bad.send(new PutObjectCommand({ Bucket: bucket, Key: "new", Body: "x" })));
      expect(err.name).toBe("InvalidAccessKeyId");
      expect(err.message).toBe("The AWS Access Key Id you provided does not exist in our records.");
      expect(err.$metadata?.httpStatusCode).toBe(403);
      expect(
        (await failure(bad.send(new HeadObjectCommand({ Bucket: bucket, Key: "kept" })))).$metadata?.httpStatusCode,
      ).toBe(403);
      expect((await failure(bad.send(new ListObjectsV2Command({ Bucket: bucket })))).name).toBe("InvalidAccessKeyId");
    } finally {
      bad.destroy();
    }
    const presigned = await fetch(
      `${local.endpoint}/${bucket}/kept?${presignedQuery(INVALID_ACCESS_KEY_ID, "us-east-1")}`,
    );
    expect(presigned.status).toBe(403);
    expect(await presigned.text()).toContain("<Code>InvalidAccessKeyId</Code>");
    expect((await fetch(`${local.endpoint}/${bucket}/kept?${presignedQuery("local", "us-east-1")}`)).status).toBe(200);
    expect((await listAll(bucket)).keys).toEqual(["kept"]);
  });

  it("refuses requests for a bucket in another region signed for the wrong one, as S3 does", async () => {
    const bucket = await newBucket();
    await put(bucket, "kept");
    await local.setBucketRegion(bucket, "eu-west-1");
    const east = clientFor({ region: "us-east-1" });
    const west = clientFor({ region: "eu-west-1" });
    try {
      const err = (await failure(
        east.send(new PutObjectCommand({ Bucket: bucket, Key: "new", Body: "x" })),
      )) as Error & {
        Region?: string;
        $metadata?: { httpStatusCode?: number };
        $response?: { headers: Record<string, string> };
      };
      expect(err.name).toBe("AuthorizationHeaderMalformed");
      expect(err.message).toBe(
        "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'",
      );
      expect(err.$metadata?.httpStatusCode).toBe(400);
      expect(err.Region).toBe("eu-west-1");
      expect(err.$response?.headers["x-amz-bucket-region"]).toBe("eu-west-1");
      // A HEAD has no body: only the status and the header tell.
      const head = (await failure(east.send(new HeadBucketCommand({ Bucket: bucket })))) as typeof err;
      expect(head.$metadata?.httpStatusCode).toBe(400);
      expect(head.$response?.headers["x-amz-bucket-region"]).toBe("eu-west-1");
      // Signed for the bucket's region, everything works; other buckets still take any region.
      await west.send(new PutObjectCommand({ Bucket: bucket, Key: "west", Body: "x" }));
      await west.send(new HeadBucketCommand({ Bucket: bucket }));
      await west.send(new ListObjectsV2Command({ Bucket: "pinned" }));
      const presigned = await fetch(`${local.endpoint}/${bucket}/kept?${presignedQuery("local", "us-east-1")}`);
      expect(presigned.status).toBe(400);
      expect(await presigned.text()).toContain("<Code>AuthorizationQueryParametersError</Code>");
      expect(presigned.headers.get("x-amz-bucket-region")).toBe("eu-west-1");
    } finally {
      east.destroy();
      west.destroy();
    }
    await local.setBucketRegion(bucket, undefined);
    await put(bucket, "back");
    expect((await listAll(bucket)).keys).toEqual(["back", "kept", "west"]);
  });
});
