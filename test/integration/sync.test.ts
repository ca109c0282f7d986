// End to end through the real CLI binary, the real aws CLI (both versions) and the local S3 server:
// what ends up in the bucket, byte for byte, and how many bytes went over the wire.
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { openStateDb } from "../../src/engine/db";
import { AWS_CLIS, awsCliArgs, runCli } from "../support/cli";
import { s3ClientConfig, useLocalS3 } from "../support/local-s3";
import { dbRecords } from "../support/library";
import { bucketContents, expectedContents, sha, Volume } from "../support/volume";

const MiB = 1024 * 1024;
const local = useLocalS3();
let client: S3Client;
let bucketCount = 0;
const volumes: Volume[] = [];

beforeAll(() => {
  client = new S3Client(s3ClientConfig(local));
});
afterEach(() => {
  while (volumes.length) volumes.pop()!.dispose();
});

async function freshBucket(): Promise<string> {
  const name = `sync-${++bucketCount}-${process.pid}`;
  await local.createBucket(name);
  return name;
}

function volume(): Volume {
  const v = new Volume();
  volumes.push(v);
  return v;
}

describe.each(AWS_CLIS)("sync with $name", ({ path: awsPath }) => {
  const sync = (v: Volume, bucket: string, extra: string[] = []) =>
    runCli(["sync", v.root, bucket, "--json", ...awsCliArgs(local, awsPath), ...extra], { local });

  it("moves a renamed 20 MiB file and a renamed folder server-side: 0 bytes uploaded", async () => {
    const bucket = await freshBucket();
    const v = volume();
    v.file("big/Concert.flac", 20 * MiB);
    v.file("Albums/Blue/01 Intro.mp3", 300_000);
    v.file("Albums/Blue/02 Sång.mp3", 400_000);
    v.file("Albums/Blue/disc 2/03 #1 100%.mp3", 500_000);
    v.file("keep.txt", 1000);
    const first = await sync(v, bucket, ["-p", "lib"]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.reports[0].aws?.uploads).toBe(5);

    v.rename("big/Concert.flac", "big/Live at the Hall.flac");
    v.rename("Albums/Blue", "Albums/Blue (2021 Remaster)");
    await local.resetStats();
    const second = await sync(v, bucket, ["-p", "lib"]);
    expect(second.exitCode, second.stderr).toBe(0);
    const stats = await local.stats();
    expect(stats.uploadedBytes).toBe(0);
    expect(stats.ops.CopyObject?.count).toBe(4);
    expect(second.reports[0].moves.done).toBe(4);
    expect(second.reports[0].bytesSaved).toBe(20 * MiB + 1_200_000);
    expect(second.reports[0].aws?.uploads).toBe(0);
    expect(second.reports[0].aws?.deletes).toBe(0);
    // aws wrote every source, so each has the bucket's default encryption: copies need no HEAD first.
    expect(stats.ops.HeadObject?.count ?? 0).toBe(0);
    expect((await dbRecords(v.root)).map((r) => r.defaultSse)).toEqual([true, true, true, true, true]);
    const files = [
      "big/Live at the Hall.flac",
      "Albums/Blue (2021 Remaster)/01 Intro.mp3",
      "Albums/Blue (2021 Remaster)/02 Sång.mp3",
      "Albums/Blue (2021 Remaster)/disc 2/03 #1 100%.mp3",
      "keep.txt",
    ];
    expect(await bucketContents(client, bucket)).toEqual(expectedContents(v, files, "lib"));
  });

  it("HEADs a source it did not see written, and carries its SSE-KMS key over to the copy", async () => {
    const bucket = await freshBucket();
    const v = volume();
    const bytes = v.file("a.bin", 40_000, "kms");
    v.file("plain.bin", 30_000, "plain");
    await new Promise((r) => setTimeout(r, 1100)); // the object is newer than the file: aws skips it
    const kms = { ServerSideEncryption: "aws:kms", SSEKMSKeyId: "arn:aws:kms:us-east-1:111122223333:key/k1" } as const;
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "a.bin", Body: bytes, ...kms }));
    const first = await sync(v, bucket);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.reports[0].aws?.uploads).toBe(1);
    expect((await dbRecords(v.root)).map((r) => [r.path, r.defaultSse === true])).toEqual([
      ["a.bin", false],
      ["plain.bin", true],
    ]);

    for (const [from, to] of [
      ["a.bin", "b.bin"],
      ["b.bin", "c.bin"],
    ]) {
      v.rename(from, to);
      v.rename(from === "a.bin" ? "plain.bin" : "plain2.bin", from === "a.bin" ? "plain2.bin" : "plain3.bin");
      await local.resetStats();
      const run = await sync(v, bucket);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.reports[0].moves.done).toBe(2);
      const log = await local.requests();
      // Only the object of unknown encryption is HEADed; its copy repeats the key it was made with.
      expect(log.filter((e) => e.op === "HeadObject").map((e) => e.key)).toEqual([from]);
      expect(log.filter((e) => e.op === "CopyObject").map((e) => [e.key, e.sse?.kmsKeyId])).toEqual(
        expect.arrayContaining([
          [to, kms.SSEKMSKeyId],
          [from === "a.bin" ? "plain2.bin" : "plain3.bin", undefined],
        ]),
      );
      expect((await local.objectInfo(bucket, to))?.sse?.kmsKeyId).toBe(kms.SSEKMSKeyId);
      expect((await local.stats()).uploadedBytes).toBe(0);
    }
    expect(await bucketContents(client, bucket)).toEqual(expectedContents(v, ["c.bin", "plain3.bin"]));
  });

  it("uploads the new bytes of a renamed and edited same-size file", async () => {
    const bucket = await freshBucket();
    const v = volume();
    v.file("a.bin", 100_000, "original");
    expect((await sync(v, bucket)).exitCode).toBe(0);
    v.rename("a.bin", "b.bin");
    await new Promise((r) => setTimeout(r, 1100)); // a later mtime, in whole seconds too
    const edited = v.file("b.bin", 100_000, "edited");
    await local.resetStats();
    const run = await sync(v, bucket);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.reports[0].moves.done).toBe(0);
    expect((await local.stats()).uploadedBytes).toBeGreaterThanOrEqual(100_000);
    expect(await bucketContents(client, bucket)).toEqual({ "b.bin": sha(edited) });
  });

  it("swaps two same-size files so each key holds the right bytes", async () => {
    const bucket = await freshBucket();
    const v = volume();
    const x = v.file("x.dat", 50_000, "x");
    const y = v.file("y.dat", 50_000, "y");
    expect((await sync(v, bucket)).exitCode).toBe(0);
    // The DB learnt each uploaded object's ETag: what tells a swapped pair apart when sizes are equal.
    const { db } = await openStateDb({ volumeRoot: v.root, readOnly: true });
    expect(db.allFiles().map((r) => [r.path, r.etag])).toEqual([
      ["x.dat", createHash("md5").update(x).digest("hex")],
      ["y.dat", createHash("md5").update(y).digest("hex")],
    ]);
    db.close();
    v.rename("x.dat", "tmp");
    v.rename("y.dat", "x.dat");
    v.rename("tmp", "y.dat");
    await local.resetStats();
    const run = await sync(v, bucket);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.reports[0].moves.done).toBe(2);
    expect((await local.stats()).uploadedBytes).toBe(0);
    expect(await bucketContents(client, bucket)).toEqual({ "x.dat": sha(y), "y.dat": sha(x) });
  });

  it("never moves excluded files, and a second run with no changes does nothing", async () => {
    const bucket = await freshBucket();
    const v = volume();
    v.file("song.m4p", 10_000);
    v.file(".hidden/cache.db", 10_000);
    v.file("music/track.mp3", 10_000);
    const excludes = ["--exclude", "*.m4p", "--exclude", ".*", "--exclude", "*/.*"];
    expect((await sync(v, bucket, excludes)).exitCode).toBe(0);
    expect(Object.keys(await bucketContents(client, bucket))).toEqual(["music/track.mp3"]);

    // Synced once without excludes, then renamed out of an exclude: the excluded old key is neither
    // moved nor deleted (aws would not delete it either); the new name is uploaded.
    expect((await sync(v, bucket)).exitCode).toBe(0);
    v.rename("song.m4p", "song.mp3");
    const run = await sync(v, bucket, excludes);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.reports[0].moves.done).toBe(0);
    expect(run.reports[0].moves.list).toEqual([
      expect.objectContaining({ from: "song.m4p", to: "song.mp3", status: "skipped" }),
    ]);
    expect(Object.keys(await bucketContents(client, bucket)).sort()).toEqual([
      ".hidden/cache.db",
      "music/track.mp3",
      "song.m4p",
      "song.mp3",
    ]);

    await local.resetStats();
    const again = await sync(v, bucket, excludes);
    expect(again.exitCode).toBe(0);
    const stats = await local.stats();
    expect(stats.uploadedBytes).toBe(0);
    expect(stats.ops.CopyObject).toBeUndefined();
    expect(stats.ops.DeleteObject).toBeUndefined();
    expect(stats.ops.DeleteObjects).toBeUndefined();
    expect(again.reports[0].moves.done).toBe(0);
    expect(again.reports[0].aws?.uploads).toBe(0);
  });

  it("records by path: unchanged rows stay as they were, the others are written or dropped", async () => {
    const bucket = await freshBucket();
    const v = volume();
    // Names JavaScript and SQLite order differently (surrogate pairs against U+E000–U+FFFF).
    const kept = ["a/b.mp3", "a/\uE000.mp3", "a/！.mp3", "a/𝄞 clef.mp3", "a/😀.mp3", "keep.txt"];
    for (const name of [...kept, "edit.txt", "gone.txt", "from.dat"]) v.file(name, 1000);
    expect((await sync(v, bucket)).exitCode).toBe(0);
    const first = new Map((await dbRecords(v.root)).map((r) => [r.path, r]));
    expect(first.size).toBe(9);

    v.file("edit.txt", 2000, "edited");
    v.remove("gone.txt");
    v.file("new.txt", 10);
    v.rename("from.dat", "to.dat");
    const second = await sync(v, bucket);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.reports[0].moves.done).toBe(1);
    const rows = await dbRecords(v.root);
    const byPath = new Map(rows.map((r) => [r.path, r]));
    expect([...byPath.keys()].sort()).toEqual([...kept, "edit.txt", "new.txt", "to.dat"].sort());
    for (const name of kept) expect(byPath.get(name)).toEqual(first.get(name));
    const md5 = (name: string) => createHash("md5").update(v.read(name)).digest("hex");
    expect(byPath.get("edit.txt")).toMatchObject({ size: 2000, etag: md5("edit.txt") });
    expect(byPath.get("edit.txt")!.synced).toBeGreaterThan(first.get("edit.txt")!.synced);
    expect(byPath.get("new.txt")).toMatchObject({ size: 10, etag: md5("new.txt") });
    expect(byPath.get("to.dat")).toMatchObject({ inode: first.get("from.dat")!.inode, etag: md5("to.dat") });

    // Nothing changed: every row, synced time and ETag included, is what the last run recorded.
    const third = await sync(v, bucket);
    expect(third.exitCode, third.stderr).toBe(0);
    expect(await dbRecords(v.root)).toEqual(rows);
  });
});
