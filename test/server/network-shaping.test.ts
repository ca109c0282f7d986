// What the benchmarks ask of the local server beyond the test suite. The network profiles are shaping done by the proxy, not arithmetic: requests really wait a
// round trip, new connections their handshakes, and request bodies share one paced uplink. Only lower
// bounds are asserted (a delay the proxy adds cannot be shortened by a loaded machine), and the bytes must
// still arrive intact.
import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { createHash, randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { s3ClientConfig, useLocalS3 } from "../support/local-s3";

const local = useLocalS3({ buckets: ["shaped"] });
let s3: S3Client;

beforeAll(() => {
  // The SDK keeps connections alive, as every tool of the benchmarks does.
  s3 = new S3Client({ ...s3ClientConfig(local), maxAttempts: 1, requestChecksumCalculation: "WHEN_REQUIRED" });
});
afterAll(() => {
  s3?.destroy();
});
afterEach(async () => {
  await local.setNetwork({});
});

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

const md5 = (data: Buffer | Uint8Array) => createHash("md5").update(data).digest("hex");

describe("network shaping", () => {
  it("delays each request by a round trip, and a new connection's first request by its handshakes too", async () => {
    await s3.send(new HeadBucketCommand({ Bucket: "shaped" })); // opens the kept-alive connection
    await local.setNetwork({ rttMs: 120, connectRtts: 2 });
    // The proxy forgets which connections it has seen when the profile changes: this one counts as new.
    const first = await timed(() => s3.send(new HeadBucketCommand({ Bucket: "shaped" })));
    const second = await timed(() => s3.send(new HeadBucketCommand({ Bucket: "shaped" })));
    expect(first.ms).toBeGreaterThanOrEqual(3 * 120 - 5);
    expect(second.ms).toBeGreaterThanOrEqual(120 - 5);
    const stats = await local.stats();
    expect(stats.ops.HeadBucket?.count).toBe(3);
  });

  it("paces request bodies through one uplink shared by all connections, bytes intact", async () => {
    // 8 Mbit/s = 1,000,000 bytes/s: two 400 KB bodies sent at once need 0.8 s of the link between them.
    await local.setNetwork({ upMbps: 8 });
    const bodies = [randomBytes(400_000), randomBytes(400_000)];
    const both = await timed(() =>
      Promise.all(
        bodies.map((Body, i) => s3.send(new PutObjectCommand({ Bucket: "shaped", Key: `paced-${i}`, Body }))),
      ),
    );
    expect(both.ms).toBeGreaterThanOrEqual(800 - 10);
    await local.setNetwork({});
    for (const [i, body] of bodies.entries()) {
      const got = await s3.send(new GetObjectCommand({ Bucket: "shaped", Key: `paced-${i}` }));
      expect(md5(await got.Body!.transformToByteArray())).toBe(md5(body));
    }
  });

  it("turns off with an empty profile", async () => {
    await local.setNetwork({ rttMs: 50, upMbps: 1 });
    await local.setNetwork({});
    const res = await fetch(`${local.endpoint}/__control/network`, { method: "POST" });
    expect(await res.json()).toEqual({});
  });
});

describe("bulk seeding", () => {
  it("stores empty objects at the given keys without a request each, listed like any other", async () => {
    await local.resetStats();
    const keys = ["seed/b/2.mp3", "seed/a/1.mp3", "seed/é/3.mp3"];
    await local.putEmptyObjects("shaped", keys);
    expect((await local.stats()).requests).toBe(0);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "shaped", Prefix: "seed/" }));
    expect(listed.Contents!.map((o) => [o.Key, o.Size])).toEqual([
      ["seed/a/1.mp3", 0],
      ["seed/b/2.mp3", 0],
      ["seed/é/3.mp3", 0],
    ]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "shaped", Key: "seed/a/1.mp3" }));
    expect(head.ETag).toBe('"d41d8cd98f00b204e9800998ecf8427e"');
  });
});
