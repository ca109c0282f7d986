import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type PutObjectCommandInput,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  BucketGateway,
  clearS3ClientCache,
  getS3Client,
  guessContentType,
  MIB,
  ObjectArchivedError,
  SourceChangedError,
  SourceMissingError,
} from "../../src/engine/s3";
import type { SmartSyncError } from "../../src/engine/errors";
import { useLocalS3 } from "../support/local-s3";

const BUCKET = "gateway";
const credentials = { accessKeyId: "local", secretAccessKey: "local-secret" };

async function rejection(promise: Promise<unknown>): Promise<SmartSyncError> {
  try {
    await promise;
  } catch (error) {
    return error as SmartSyncError;
  }
  throw new Error("expected a rejection");
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}

describe("BucketGateway against the local S3 server", () => {
  const s3 = useLocalS3({ buckets: [BUCKET] });
  let client: S3Client;
  let gateway: BucketGateway;

  const put = (key: string, body: Uint8Array | string, extra: Partial<PutObjectCommandInput> = {}) =>
    client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ...extra }));
  const read = async (key: string) => {
    const output = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await output.Body!.transformToByteArray());
  };

  beforeAll(() => {
    client = getS3Client({
      endpointUrl: s3.endpoint,
      region: "us-east-1",
      credentials,
    });
    gateway = new BucketGateway(client, BUCKET, { endpoint: s3.endpoint });
  });
  afterAll(() => clearS3ClientCache());
  beforeEach(async () => {
    await s3.clearFaults();
    await s3.emptyBucket(BUCKET);
  });

  it("caches clients by profile, region, endpoint and addressing style", () => {
    expect(
      getS3Client({
        endpointUrl: s3.endpoint,
        region: "us-east-1",
        credentials,
      }),
    ).toBe(client);
    expect(
      getS3Client({
        endpointUrl: s3.endpoint,
        region: "eu-west-1",
        credentials,
      }),
    ).not.toBe(client);
    expect(
      getS3Client({
        endpointUrl: s3.endpoint,
        region: "us-east-1",
        credentials,
        forcePathStyle: false,
      }),
    ).not.toBe(client);
  });

  it("lists more than 1000 keys across pages, in byte order, with quote-less ETags", async () => {
    const keys = Array.from({ length: 1050 }, (_, i) => `many/${String(i).padStart(5, "0")}.txt`);
    await pool(keys, 16, (key) => put(key, key));
    await put("other/outside.txt", "x");
    await s3.resetStats();

    const pages: number[] = [];
    const listed = await gateway.listAll("many/", {
      onPage: (count) => pages.push(count),
    });

    expect(listed.map((o) => o.key)).toEqual(keys);
    expect(pages).toEqual([1000, 1050]);
    expect((await s3.stats()).ops.ListObjectsV2?.count).toBe(2);
    const first = listed[0]!;
    expect(first.size).toBe(Buffer.byteLength(keys[0]!));
    expect(first.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(first.storageClass).toBe("STANDARD");
    expect(Math.abs(first.lastModifiedMs - Date.now())).toBeLessThan(120_000);
  });

  it("heads an object, and returns null for a missing one", async () => {
    await put("song.mp3", "abc", { StorageClass: "STANDARD_IA" });
    const info = await gateway.head("song.mp3");
    expect(info).toMatchObject({
      key: "song.mp3",
      size: 3,
      storageClass: "STANDARD_IA",
    });
    expect(info!.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(await gateway.head("nothing.mp3")).toBeNull();
  });

  it("copies bytes, metadata, content type, tags and storage class, conditional on the ETag", async () => {
    const body = randomBytes(64 * 1024);
    await put("a/src.mp3", body, {
      ContentType: "audio/mpeg",
      Metadata: { artist: "Nina" },
      StorageClass: "STANDARD_IA",
      Tagging: "genre=house&year=1999",
    });
    const source = (await gateway.head("a/src.mp3"))!;
    await s3.resetStats();

    const { etag } = await gateway.copyObject("a/src.mp3", "b/dst.mp3", {
      ifMatchEtag: source.etag,
      size: source.size,
      storageClass: source.storageClass,
    });

    // The HEAD tells the source's class, encryption and type; the copy itself keeps the metadata (COPY).
    const log = await s3.requests();
    expect(log.map((entry) => entry.op)).toEqual(["HeadObject", "CopyObject"]);
    expect(log[1].metadataDirective).toBe("COPY");
    expect(etag).toBe(source.etag);
    expect((await read("b/dst.mp3")).equals(body)).toBe(true);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "b/dst.mp3" }));
    expect(head.ContentType).toBe("audio/mpeg");
    expect(head.Metadata).toEqual({ artist: "Nina" });
    const info = await s3.objectInfo(BUCKET, "b/dst.mp3");
    expect(info?.storageClass).toBe("STANDARD_IA");
    expect(info?.tags).toEqual({ genre: "house", year: "1999" });
  });

  it("keeps SSE-KMS settings on a single-part copy, as the multipart copy does", async () => {
    const sse = { ServerSideEncryption: "aws:kms", SSEKMSKeyId: "arn:aws:kms:us-east-1:111122223333:key/k1" } as const;
    await put("enc/src.bin", randomBytes(1024), { ...sse, BucketKeyEnabled: true });
    await put("plain/src.bin", randomBytes(1024));
    const encrypted = (await gateway.head("enc/src.bin"))!;
    const plain = (await gateway.head("plain/src.bin"))!;
    await s3.resetStats();

    const kms = await gateway.copyObject("enc/src.bin", "enc/dst.bin", {
      ifMatchEtag: encrypted.etag,
      size: encrypted.size,
    });
    const bucketDefault = await gateway.copyObject("plain/src.bin", "plain/dst.bin", {
      ifMatchEtag: plain.etag,
      size: plain.size,
    });
    // What the DB may record: only the copy that set no encryption has the bucket's default.
    expect([kms.defaultSse, bucketDefault.defaultSse]).toEqual([false, true]);

    // What was asked of S3 (the local server keeps the settings but does not encrypt).
    const copies = (await s3.requests()).filter((e) => e.op === "CopyObject");
    expect(copies.map((e) => [e.key, e.sse])).toEqual([
      ["enc/dst.bin", { algorithm: "aws:kms", kmsKeyId: sse.SSEKMSKeyId, bucketKeyEnabled: true }],
      ["plain/dst.bin", undefined],
    ]);
    expect((await s3.objectInfo(BUCKET, "enc/dst.bin"))?.sse).toEqual({
      algorithm: "aws:kms",
      kmsKeyId: sse.SSEKMSKeyId,
      bucketKeyEnabled: true,
    });
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "enc/dst.bin" }));
    expect(head.ServerSideEncryption).toBe("aws:kms");
    expect(head.SSEKMSKeyId).toBe(sse.SSEKMSKeyId);
  });

  it("copies a source with the bucket's default encryption without a HEAD when the name keeps its type", async () => {
    const body = randomBytes(32 * 1024);
    await put("d/src.mp3", body, {
      ContentType: "audio/mpeg",
      Metadata: { artist: "Nina" },
      StorageClass: "STANDARD_IA",
      Tagging: "genre=house",
    });
    const source = (await gateway.head("d/src.mp3"))!;
    await s3.resetStats();

    const copied = await gateway.copyObject("d/src.mp3", "d/dst.mp3", {
      ifMatchEtag: source.etag,
      size: source.size,
      storageClass: source.storageClass,
      defaultSse: true,
    });

    // One request: the class came from the listing, COPY keeps type, metadata and tags.
    const log = await s3.requests();
    expect(log.map((e) => [e.op, e.key])).toEqual([["CopyObject", "d/dst.mp3"]]);
    expect(log[0].metadataDirective).toBe("COPY");
    expect(log[0].sse).toBeUndefined();
    expect(copied).toEqual({ etag: source.etag, defaultSse: true });
    expect((await read("d/dst.mp3")).equals(body)).toBe(true);
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "d/dst.mp3" }));
    expect([head.ContentType, head.Metadata]).toEqual(["audio/mpeg", { artist: "Nina" }]);
    const info = await s3.objectInfo(BUCKET, "d/dst.mp3");
    expect([info?.storageClass, info?.tags]).toEqual(["STANDARD_IA", { genre: "house" }]);

    // The copy itself is conditional: a source changed since it was listed is refused, nothing written.
    await put("d/src.mp3", randomBytes(1024));
    await s3.resetStats();
    const refused = await rejection(
      gateway.copyObject("d/src.mp3", "d/late.mp3", { ifMatchEtag: source.etag, size: source.size, defaultSse: true }),
    );
    expect(refused).toBeInstanceOf(SourceChangedError);
    expect((await s3.requests()).map((e) => [e.op, e.status])).toEqual([["CopyObject", 412]]);
    expect(await gateway.head("d/late.mp3")).toBeNull();

    // A new type still needs the source's metadata to repeat under REPLACE: HEAD first.
    await s3.resetStats();
    await gateway.copyObject("d/dst.mp3", "d/dst.flac", {
      ifMatchEtag: source.etag,
      size: source.size,
      defaultSse: true,
    });
    const typed = await s3.requests();
    expect(typed.map((e) => e.op)).toEqual(["HeadObject", "CopyObject"]);
    expect(typed[1].metadataDirective).toBe("REPLACE");
    expect((await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "d/dst.flac" }))).Metadata).toEqual({
      artist: "Nina",
    });
  });

  it("gives a copy to another file type the Content-Type aws gives that name, keeping the other metadata", async () => {
    await put("t/take.wav", "riff", {
      ContentType: guessContentType("take.wav"),
      CacheControl: "max-age=60",
      Metadata: { artist: "Nina" },
      Tagging: "genre=house",
    });
    await put("t/custom.wav", "riff2", { ContentType: "audio/x-mine" });
    const take = (await gateway.head("t/take.wav"))!;
    const custom = (await gateway.head("t/custom.wav"))!;
    await s3.resetStats();

    await gateway.copyObject("t/take.wav", "t/take.flac", { ifMatchEtag: take.etag, size: take.size });
    // Same type for the new name: a custom Content-Type stays, and the metadata is copied, not repeated.
    await gateway.copyObject("t/custom.wav", "t/renamed.wav", { ifMatchEtag: custom.etag, size: custom.size });

    expect(guessContentType("take.flac")).not.toBe(guessContentType("take.wav"));
    const copies = (await s3.requests()).filter((e) => e.op === "CopyObject");
    expect(copies.map((e) => [e.key, e.metadataDirective])).toEqual([
      ["t/take.flac", "REPLACE"],
      ["t/renamed.wav", "COPY"],
    ]);
    const flac = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "t/take.flac" }));
    expect(flac.ContentType).toBe(guessContentType("take.flac"));
    expect(flac.CacheControl).toBe("max-age=60");
    expect(flac.Metadata).toEqual({ artist: "Nina" });
    expect((await s3.objectInfo(BUCKET, "t/take.flac"))?.tags).toEqual({ genre: "house" });
    const renamed = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "t/renamed.wav" }));
    expect(renamed.ContentType).toBe("audio/x-mine");
  });

  it("changes the type of a cycle's move between the move's own names, not at its temporary key", async () => {
    await put("cyc/a.wav", "riff", { ContentType: "audio/x-mine" });
    const a = (await gateway.head("cyc/a.wav"))!;
    await s3.resetStats();
    // a.wav's file went to b.flac through a temporary key (as a cycle does it).
    const temp = await gateway.copyObject("cyc/a.wav", "tmp/run/0", {
      ifMatchEtag: a.etag,
      size: a.size,
      typeNames: null,
    });
    await gateway.copyObject("tmp/run/0", "cyc/b.flac", {
      ifMatchEtag: temp.etag,
      size: a.size,
      typeNames: { from: "cyc/a.wav", to: "cyc/b.flac" },
    });
    const copies = (await s3.requests()).filter((e) => e.op === "CopyObject");
    expect(copies.map((e) => [e.key, e.metadataDirective])).toEqual([
      ["tmp/run/0", "COPY"],
      ["cyc/b.flac", "REPLACE"],
    ]);
    expect((await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "tmp/run/0" }))).ContentType).toBe(
      "audio/x-mine",
    );
    expect((await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "cyc/b.flac" }))).ContentType).toBe(
      guessContentType("b.flac"),
    );
  });

  it("deletes up to 1,000 keys per DeleteObjects request, missing keys included", async () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `del/${String(i).padStart(4, "0")}`);
    await pool(keys.slice(0, 990), 16, (key) => put(key, key));
    await s3.resetStats();
    expect(await gateway.deleteObjects(keys)).toEqual([]);
    const log = await s3.requests();
    expect(log.map((e) => [e.op, e.keys?.length])).toEqual([["DeleteObjects", 1000]]);
    expect(await gateway.listAll("del/")).toEqual([]);
    await expect(gateway.deleteObjects([...keys, "one too many"])).rejects.toThrow(RangeError);
  });

  it("sends every request of concurrent whole and part copies through one limit, without deadlock", async () => {
    const body = randomBytes(12 * MIB);
    const sources = ["lim/a.bin", "lim/b.bin", "lim/c.bin"];
    for (const key of sources) {
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: key }));
      const parts = [];
      for (const [index, slice] of [body.subarray(0, 6 * MIB), body.subarray(6 * MIB)].entries()) {
        const { ETag } = await client.send(
          new UploadPartCommand({ Bucket: BUCKET, Key: key, UploadId, PartNumber: index + 1, Body: slice }),
        );
        parts.push({ PartNumber: index + 1, ETag });
      }
      await client.send(
        new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
      );
    }
    for (let i = 0; i < 6; i++) await put(`lim/small-${i}`, `small ${i}`);
    const limited = new BucketGateway(client, BUCKET, {
      multipartCopyThreshold: 6 * MIB,
      partSize: 5 * MIB,
      concurrency: 3,
    });
    const objects = await limited.listAll("lim/");
    await s3.setFaults({ latencyMs: 40 });
    await s3.resetStats();

    // Nine copies at once: three multipart ones (HEAD, create, 3 parts, complete) and six single ones.
    await Promise.all(
      objects.map((o) =>
        limited.copyObject(o.key, o.key.replace("lim/", "lim-copy/"), { ifMatchEtag: o.etag, size: o.size }),
      ),
    );

    const stats = await s3.stats();
    expect(stats.ops.UploadPartCopy?.count).toBe(9);
    expect(stats.ops.CopyObject?.count).toBe(6);
    expect(stats.peakInFlight).toBe(3);
    expect((await limited.listAll("lim-copy/")).map((o) => o.size).sort((x, y) => x - y)).toEqual(
      objects.map((o) => o.size).sort((x, y) => x - y),
    );
  });

  it("refuses to copy a source whose ETag changed, and writes nothing", async () => {
    await put("old.mp3", "version 1");
    const verified = (await gateway.head("old.mp3"))!;
    await put("old.mp3", "version 2");

    const error = await rejection(
      gateway.copyObject("old.mp3", "new.mp3", {
        ifMatchEtag: verified.etag,
        size: verified.size,
      }),
    );

    expect(error).toBeInstanceOf(SourceChangedError);
    expect(error.code).toBe("S3_FAILED");
    expect((error as SourceChangedError).sourceChanged).toBe(true);
    expect(await gateway.head("new.mp3")).toBeNull();
  });

  it("reports a missing source as SourceMissingError", async () => {
    const error = await rejection(
      gateway.copyObject("ghost.mp3", "new.mp3", {
        ifMatchEtag: "abc",
        size: 1,
      }),
    );
    expect(error).toBeInstanceOf(SourceMissingError);
  });

  describe("multipart copy", () => {
    const big = randomBytes(13 * MIB);

    // fauxqs caps single requests at 11 MiB: upload the source in two parts.
    async function putBig(key: string) {
      const { UploadId } = await client.send(
        new CreateMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          ContentType: "video/mp4",
          CacheControl: "max-age=60",
          ContentDisposition: 'attachment; filename="clip.mp4"',
          Metadata: { camera: "a7", "shot-at": "2024-01-01" },
          StorageClass: "STANDARD_IA",
          Tagging: "project=film",
        }),
      );
      const parts = [];
      for (const [index, slice] of [big.subarray(0, 7 * MIB), big.subarray(7 * MIB)].entries()) {
        const { ETag } = await client.send(
          new UploadPartCommand({
            Bucket: BUCKET,
            Key: key,
            UploadId,
            PartNumber: index + 1,
            Body: slice,
          }),
        );
        parts.push({ PartNumber: index + 1, ETag });
      }
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    }

    it("copies a 13 MiB object in 5 MiB parts, keeping bytes, metadata, tags and storage class", async () => {
      await putBig("video/clip.mp4");
      const source = (await gateway.head("video/clip.mp4"))!;
      const multipart = new BucketGateway(client, BUCKET, {
        multipartCopyThreshold: 6 * MIB,
        partSize: 5 * MIB,
      });
      await s3.resetStats();

      await multipart.copyObject("video/clip.mp4", "video/moved clip.mp4", {
        ifMatchEtag: source.etag,
        size: source.size,
        storageClass: source.storageClass,
      });

      const stats = await s3.stats();
      expect(stats.ops.UploadPartCopy?.count).toBe(3);
      expect(stats.ops.CopyObject).toBeUndefined();
      expect(stats.ops.CompleteMultipartUpload?.count).toBe(1);
      expect((await read("video/moved clip.mp4")).equals(big)).toBe(true);
      const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: "video/moved clip.mp4" }));
      expect(head.ContentType).toBe("video/mp4");
      expect(head.CacheControl).toBe("max-age=60");
      expect(head.ContentDisposition).toBe('attachment; filename="clip.mp4"');
      expect(head.Metadata).toEqual({ camera: "a7", "shot-at": "2024-01-01" });
      const info = await s3.objectInfo(BUCKET, "video/moved clip.mp4");
      expect(info?.storageClass).toBe("STANDARD_IA");
      expect(info?.tags).toEqual({ project: "film" });
    });

    it("aborts the upload when a part fails, leaving no destination", async () => {
      await putBig("video/clip.mp4");
      const source = (await gateway.head("video/clip.mp4"))!;
      const impatient = getS3Client({
        endpointUrl: s3.endpoint,
        region: "us-east-1",
        credentials,
        maxAttempts: 1,
      });
      const multipart = new BucketGateway(impatient, BUCKET, {
        multipartCopyThreshold: 6 * MIB,
        partSize: 5 * MIB,
        concurrency: 1,
      });
      await s3.setFaults({
        operations: ["UploadPartCopy"],
        failAfterRequests: 1,
        failMode: "InternalError",
      });
      await s3.resetStats();

      const error = await rejection(
        multipart.copyObject("video/clip.mp4", "video/broken.mp4", {
          ifMatchEtag: source.etag,
          size: source.size,
        }),
      );

      expect(error.code).toBe("S3_FAILED");
      expect(error.retryable).toBe(true);
      const stats = await s3.stats();
      expect(stats.ops.AbortMultipartUpload?.count).toBe(1);
      expect(stats.ops.CompleteMultipartUpload).toBeUndefined();
      expect(await gateway.head("video/broken.mp4")).toBeNull();
    });

    it("refuses a multipart copy of a changed source", async () => {
      await putBig("video/clip.mp4");
      const multipart = new BucketGateway(client, BUCKET, {
        multipartCopyThreshold: 6 * MIB,
        partSize: 5 * MIB,
      });
      const error = await rejection(
        multipart.copyObject("video/clip.mp4", "video/other.mp4", {
          ifMatchEtag: "0".repeat(32),
          size: big.length,
        }),
      );
      expect(error).toBeInstanceOf(SourceChangedError);
      expect(await gateway.head("video/other.mp4")).toBeNull();
    });
  });

  it("lists and copies keys with spaces, + % # ? & and Unicode exactly, NFC and NFD kept apart", async () => {
    const cafe = "Café";
    const keys = [
      "odd/with space.mp3",
      "odd/plus+sign.mp3",
      "odd/100% pure.mp3",
      "odd/#hash.mp3",
      "odd/what?.mp3",
      "odd/a&b<c>'\".mp3",
      "odd/~tilde!(1)*.mp3",
      `odd/${cafe.normalize("NFC")}.mp3`,
      `odd/${cafe.normalize("NFD")}.mp3`,
      "odd/日本語/ümlaut 🎵.mp3",
      "odd/trailing space .mp3",
    ];
    for (const key of keys) await put(key, `body of ${key}`);

    const listed = await gateway.listAll("odd/");
    expect(listed.map((o) => o.key).sort()).toEqual([...keys].sort());

    for (const object of listed) {
      const target = object.key.replace(/^odd\//, "moved/");
      await gateway.copyObject(object.key, target, {
        ifMatchEtag: object.etag,
        size: object.size,
      });
      expect((await read(target)).toString()).toBe(`body of ${object.key}`);
    }
    const moved = await gateway.listAll("moved/");
    expect(moved).toHaveLength(keys.length);
    expect(new Set(moved.map((o) => o.key)).size).toBe(keys.length);

    expect(await gateway.deleteObjects(keys)).toEqual([]);
    expect(await gateway.listAll("odd/")).toEqual([]);
  });

  it("refuses to copy an archived object until it is restored, then copies it", async () => {
    await put("cold/deep.flac", "frozen");
    await s3.setStorageClass(BUCKET, "cold/deep.flac", "GLACIER");
    const source = (await gateway.head("cold/deep.flac"))!;
    expect(source.storageClass).toBe("GLACIER");
    expect(source.restore).toBeUndefined();

    const error = await rejection(
      gateway.copyObject("cold/deep.flac", "warm/deep.flac", {
        ifMatchEtag: source.etag,
        size: source.size,
        storageClass: source.storageClass,
      }),
    );
    expect(error).toBeInstanceOf(ObjectArchivedError);
    expect((error as ObjectArchivedError).storageClass).toBe("GLACIER");
    expect(await gateway.head("warm/deep.flac")).toBeNull();

    expect(await gateway.restoreObject("cold/deep.flac", { tier: "Bulk", days: 7 })).toBe("started");
    expect(await gateway.restoreObject("cold/deep.flac", { tier: "Bulk", days: 7 })).toBe("in-progress");
    expect((await gateway.head("cold/deep.flac"))!.restore).toEqual({
      ongoing: true,
    });

    await s3.completeRestore(BUCKET, "cold/deep.flac");
    const restored = (await gateway.head("cold/deep.flac"))!;
    expect(restored.restore?.ongoing).toBe(false);
    expect(Date.parse(restored.restore!.expiry!)).toBeGreaterThan(Date.now());
    expect(await gateway.restoreObject("cold/deep.flac", { tier: "Bulk", days: 7 })).toBe("already-restored");

    await gateway.copyObject("cold/deep.flac", "warm/deep.flac", {
      ifMatchEtag: restored.etag,
      size: restored.size,
      storageClass: restored.storageClass,
    });
    // Same bytes, and archived again like its source: the copy keeps GLACIER.
    const copy = await s3.objectInfo(BUCKET, "warm/deep.flac");
    expect(copy?.etag.replaceAll('"', "")).toBe(restored.etag);
    expect(copy?.storageClass).toBe("GLACIER");
    expect(copy?.restore).toBeUndefined();
  });

  it("reports Intelligent-Tiering archive tiers and restores them without Days", async () => {
    await put("cold/tiered.flac", "tiered");
    await s3.setStorageClass(BUCKET, "cold/tiered.flac", "INTELLIGENT_TIERING", "DEEP_ARCHIVE_ACCESS");
    const info = (await gateway.head("cold/tiered.flac"))!;
    expect(info.storageClass).toBe("INTELLIGENT_TIERING");
    expect(info.archiveStatus).toBe("DEEP_ARCHIVE_ACCESS");
    const error = await rejection(
      gateway.copyObject("cold/tiered.flac", "x.flac", {
        ifMatchEtag: info.etag,
        size: info.size,
        storageClass: info.storageClass,
      }),
    );
    expect(error).toBeInstanceOf(ObjectArchivedError);
    expect(
      await gateway.restoreObject("cold/tiered.flac", {
        tier: "Bulk",
        days: 7,
        storageClass: info.storageClass,
      }),
    ).toBe("started");
  });

  it("says when a restore is not needed", async () => {
    await put("warm.flac", "warm");
    expect(await gateway.restoreObject("warm.flac", { tier: "Bulk", days: 1 })).toBe("not-archived");
  });

  it("survives 503 SlowDown on 30% of requests through the SDK's retries", async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `slow/${i}.txt`);
    await pool(keys, 8, (key) => put(key, key));
    await s3.setFaults({ seed: 3, slowDownRate: 0.3 });
    await s3.resetStats();

    const listed = await gateway.listAll("slow/");
    await pool(listed, 8, (object) =>
      gateway.copyObject(object.key, object.key.replace("slow/", "fast/"), {
        ifMatchEtag: object.etag,
        size: object.size,
      }),
    );
    await pool([keys.slice(0, 15), keys.slice(15)], 2, async (batch) => {
      expect(await gateway.deleteObjects(batch)).toEqual([]);
    });

    const log = await s3.requests();
    expect(log.filter((entry) => entry.fault === "SlowDown").length).toBeGreaterThan(5);
    await s3.clearFaults();
    expect((await gateway.listAll("fast/")).map((o) => o.key).sort()).toEqual(
      keys.map((k) => k.replace("slow/", "fast/")).sort(),
    );
    expect(await gateway.listAll("slow/")).toEqual([]);
  });

  it("checks access and whether the prefix holds objects: a missing bucket is BUCKET_MISSING", async () => {
    await put("probe/one.txt", "x");
    await expect(gateway.checkAccess("probe/")).resolves.toEqual({ empty: false });
    await expect(gateway.checkAccess("nothing-under-here/")).resolves.toEqual({ empty: true });
    const missing = new BucketGateway(client, "no-such-bucket", {
      endpoint: s3.endpoint,
    });
    const error = await rejection(missing.checkAccess("music/"));
    expect(error.code).toBe("BUCKET_MISSING");
    expect(error.message).toContain("no-such-bucket");
    expect((await rejection(missing.listAll(""))).code).toBe("BUCKET_MISSING");
  });

  it("reports an unreachable endpoint as a retryable NETWORK error", async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const offline = getS3Client({
      endpointUrl: endpoint,
      region: "us-east-1",
      credentials,
      maxAttempts: 2,
    });
    const error = await rejection(new BucketGateway(offline, BUCKET, { endpoint }).checkAccess(""));
    expect(error.code).toBe("NETWORK");
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(endpoint);
  });

  it("reports a dropped connection as NETWORK once retries are used up", async () => {
    const impatient = getS3Client({
      endpointUrl: s3.endpoint,
      region: "us-east-1",
      credentials,
      maxAttempts: 2,
    });
    await s3.setFaults({ dropRate: 1 });
    const error = await rejection(new BucketGateway(impatient, BUCKET).head("x"));
    expect(error.code).toBe("NETWORK");
  });

  it("cancels a listing through its signal", async () => {
    const error = await rejection(gateway.listAll("", { signal: AbortSignal.abort() }));
    expect(error.code).toBe("ABORTED");
  });

  // fauxqs does not check signatures, so wrong keys cannot be tested here; missing ones can.
  describe("with the test's own AWS config files", () => {
    const saved = { ...process.env };
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "gateway-aws-"));
      writeFileSync(join(dir, "config"), "[profile media]\nregion = eu-west-3\n");
      writeFileSync(join(dir, "credentials"), "[media]\naws_access_key_id = AKIDMEDIA\naws_secret_access_key = s\n");
      for (const name of Object.keys(process.env)) if (name.startsWith("AWS_")) delete process.env[name];
      process.env.AWS_CONFIG_FILE = join(dir, "config");
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, "credentials");
      process.env.AWS_EC2_METADATA_DISABLED = "true";
    });
    afterAll(() => {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    });

    it("takes credentials and region from the named profile", async () => {
      const media = getS3Client({ endpointUrl: s3.endpoint, profile: "media" });
      expect(await media.config.region()).toBe("eu-west-3");
      expect((await media.config.credentials()).accessKeyId).toBe("AKIDMEDIA");
      await put("profiled.txt", "x");
      expect((await new BucketGateway(media, BUCKET).listAll("profiled")).map((o) => o.key)).toEqual(["profiled.txt"]);
    });

    it("reports CREDENTIALS naming the profile, with the region falling back to us-east-1", async () => {
      const anonymous = getS3Client({ endpointUrl: s3.endpoint, profile: "nobody", maxAttempts: 1 });
      expect(await anonymous.config.region()).toBe("us-east-1");
      const error = await rejection(
        new BucketGateway(anonymous, BUCKET, { endpoint: s3.endpoint, profile: "nobody" }).checkAccess(""),
      );
      expect(error.code).toBe("CREDENTIALS");
      expect(error.hint).toContain("--profile nobody");
    });
  });
});
