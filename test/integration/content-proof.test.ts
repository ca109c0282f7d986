// Moves and copies proven by content, through the real CLI, both aws CLIs and the local S3 server: a first
// run (no DB) on a bucket plain `aws s3 sync` filled, after renames made before; a deleted DB after renames;
// files over 8 MiB that aws uploaded in parts; decoys of equal size and mtime but other bytes (never moved);
// an object with a CRC64NVME checksum; a recycled inode; duplicated files and hard links (copies). Each
// asserts the bucket's bytes and the bytes uploaded.
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { Crc64Nvme } from "@aws-sdk/checksums/crc";
import { execa } from "execa";
import { createHash } from "node:crypto";
import { existsSync, linkSync, rmSync, statSync, utimesSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { AWS_CLIS, awsCliArgs } from "../support/cli";
import { disposeBundledCli, runBundled as runCli } from "../support/fast-cli";
import { useS3Fixture } from "../support/fixture";
import { dbRecords, listFiles } from "../support/library";
import { awsEnv, s3ClientConfig } from "../support/local-s3";
import { bucketContents, expectedContents, type Volume } from "../support/volume";

const { local, s3, volume, freshBucket } = useS3Fixture("proof");
afterAll(async () => {
  await disposeBundledCli();
});

const MIB = 1024 * 1024;
const md5 = (data: Buffer) => createHash("md5").update(data).digest("hex");

/** Sets a file's mtime to another's: a decoy that size and date cannot tell apart. */
function sameMtimeAs(v: Volume, rel: string, like: string) {
  const { atime, mtime } = statSync(v.abs(like));
  utimesSync(v.abs(rel), atime, mtime);
}

describe.each(AWS_CLIS)("content-proven moves and copies, with $name", ({ path: awsPath }) => {
  const sync = (v: Volume, bucket: string, extra: string[] = []) =>
    runCli(["sync", v.root, bucket, "--json", "--no-progress", ...awsCliArgs(local, awsPath), ...extra], { local });

  async function plainAwsSync(v: Volume, bucket: string) {
    const result = await execa(
      awsPath,
      ["--endpoint-url", local.endpoint, "s3", "sync", v.root, `s3://${bucket}/`, "--delete"],
      { env: awsEnv(local), reject: false, timeout: 180_000 },
    );
    expect(result.exitCode, String(result.stderr)).toBe(0);
  }

  /** A library with small files, two files aws uploads in parts (2 and 3 parts of 8 MiB), and a decoy's twin. */
  function library(v: Volume) {
    for (let i = 0; i < 4; i++) v.file(`Music/song ${i}.mp3`, 300_000 + i * 1000);
    v.file("Video/clip.mov", 9 * MIB + 123);
    v.file("Video/long.mov", 17 * MIB + 5);
    v.file("Photos/a.jpg", 400_000);
    v.file("small.txt", 2000);
  }

  it("first run after plain aws s3 sync, renames made before: renamed files (multipart ones too) move, 0 bytes uploaded; a decoy is uploaded", async () => {
    const bucket = await freshBucket();
    const v = volume();
    library(v);
    await plainAwsSync(v, bucket);
    const parts = (await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "Video/long.mov" }))).ETag;
    expect(parts).toMatch(/-3"$/); // aws uploaded it in three 8 MiB parts

    v.rename("Music/song 1.mp3", "Music/Best of/song 1.mp3");
    v.rename("Video/clip.mov", "Archive/clip.mov");
    v.rename("Video/long.mov", "Archive/long (2019).mov");
    v.rename("small.txt", "notes/small.txt"); // below the size floor: aws uploads it
    // A decoy: the size and mtime of the renamed photo, other bytes, at another new path.
    v.rename("Photos/a.jpg", "Photos/2019/a.jpg");
    v.file("Photos/decoy.jpg", 400_000, "other bytes");
    sameMtimeAs(v, "Photos/decoy.jpg", "Photos/2019/a.jpg");
    await local.resetStats();

    // A dry run shows each move with what it rests on and the bytes hashed, and changes nothing.
    const before = await bucketContents(s3.client, bucket);
    const dry = await runCli(["sync", v.root, bucket, "-n", "--no-progress", ...awsCliArgs(local, awsPath)], { local });
    expect(dry.exitCode, dry.stdout + dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(
      /would move Video\/long\.mov → Archive\/long \(2019\)\.mov \(.*, hash \(multipart ETag\)\)/,
    );
    expect(dry.stdout).toMatch(/would move Music\/song 1\.mp3 → Music\/Best of\/song 1\.mp3 \(.*, hash \(MD5\)\)/);
    expect(dry.stdout).not.toMatch(/would move .*decoy/);
    expect(dry.stdout).toMatch(/4 moves planned \(.*\) · hashed .* of \d+ files/);
    expect(dry.stdout).not.toMatch(/aws: would upload .*long \(2019\)/);
    expect((await local.stats()).uploadedBytes).toBe(0);
    expect(await bucketContents(s3.client, bucket)).toEqual(before);
    expect(existsSync(v.abs(".s3-smart-sync.db"))).toBe(false);
    await local.resetStats();

    const run = await sync(v, bucket);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const report = run.reports[0];
    const moves = report.moves.list.filter((m) => m.status === "done");
    expect(moves.map((m) => [m.from, m.to, m.evidence, m.proof]).sort()).toEqual(
      [
        ["Music/song 1.mp3", "Music/Best of/song 1.mp3", "hash", "md5"],
        ["Video/clip.mov", "Archive/clip.mov", "hash", "multipart-etag"],
        ["Video/long.mov", "Archive/long (2019).mov", "hash", "multipart-etag"],
        ["Photos/a.jpg", "Photos/2019/a.jpg", "hash", "md5"],
      ].sort(),
    );
    // Only the decoy and the small file were uploaded.
    expect((await local.stats()).uploadedBytes).toBe(400_000 + 2000);
    expect(report.hashing).toMatchObject({ proven: 4 });
    expect(report.hashing!.bytes).toBeGreaterThanOrEqual(26 * MIB + 300_000 + 2 * 400_000);
    expect(await bucketContents(s3.client, bucket)).toEqual(expectedContents(v, listFiles(v.root)));
    // The DB records each proven file with its object's ETag, and keeps the hashes for next time.
    const rows = new Map((await dbRecords(v.root)).map((r) => [r.path, r]));
    expect(rows.get("Music/Best of/song 1.mp3")?.etag).toBe(md5(v.read("Music/Best of/song 1.mp3")));
    const moved = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "Archive/long (2019).mov" }));
    expect(rows.get("Archive/long (2019).mov")?.etag).toBe(moved.ETag?.replaceAll('"', ""));

    // Nothing left to do.
    await local.resetStats();
    const again = await sync(v, bucket);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect((await local.stats()).uploadedBytes).toBe(0);
    expect(again.reports[0].hashing).toBeUndefined();
  });

  it("a deleted DB after renames: the renames are proven and moved, 0 bytes uploaded", async () => {
    const bucket = await freshBucket();
    const v = volume();
    library(v);
    const first = await sync(v, bucket);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);

    v.rename("Music/song 2.mp3", "Music/song two.mp3");
    v.rename("Video/long.mov", "long.mov");
    rmSync(v.abs(".s3-smart-sync.db"));
    await local.resetStats();

    const run = await sync(v, bucket);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(
      run.reports[0].moves.list
        .filter((m) => m.status === "done")
        .map((m) => [m.from, m.to, m.evidence])
        .sort(),
    ).toEqual([
      ["Music/song 2.mp3", "Music/song two.mp3", "hash"],
      ["Video/long.mov", "long.mov", "hash"],
    ]);
    expect((await local.stats()).uploadedBytes).toBe(0);
    expect(await bucketContents(s3.client, bucket)).toEqual(expectedContents(v, listFiles(v.root)));
  });

  it("with the DB, a rename that also changed the inode (exFAT) is proven from the recorded ETag and a HEAD, without a listing", async () => {
    const bucket = await freshBucket();
    const v = volume();
    library(v);
    const first = await sync(v, bucket);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    // Renamed, and a new inode (a copy, as a remount of exFAT gives new numbers), mtime kept.
    const { atime, mtime } = statSync(v.abs("Video/clip.mov"));
    v.write("Clips/clip.mov", v.read("Video/clip.mov"));
    utimesSync(v.abs("Clips/clip.mov"), atime, mtime);
    v.remove("Video/clip.mov");
    await local.resetStats();

    const run = await runCli(["moves", v.root, bucket, "--json", "--no-progress", ...awsCliArgs(local, awsPath)], {
      local,
    });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.reports[0].moves.list.map((m) => [m.from, m.to, m.status, m.evidence, m.proof])).toEqual([
      ["Video/clip.mov", "Clips/clip.mov", "done", "hash", "multipart-etag"],
    ]);
    const log = await local.requests();
    expect(log.filter((e) => e.op === "HeadObject").map((e) => e.key)).toContain("Video/clip.mov");
    expect((await local.stats()).uploadedBytes).toBe(0);
    // No listing beyond what a run with nothing to do asks for (the access check, the temporary folder).
    await local.resetStats();
    const idle = await runCli(["moves", v.root, bucket, "--json", "--no-progress", ...awsCliArgs(local, awsPath)], {
      local,
    });
    expect(idle.reports[0].moves.list).toEqual([]);
    const lists = (entries: { op: string }[]) => entries.filter((e) => e.op === "ListObjectsV2").length;
    expect(lists(log)).toBe(lists(await local.requests()));
    const rows = new Map((await dbRecords(v.root)).map((r) => [r.path, r]));
    expect(rows.has("Video/clip.mov")).toBe(false);
    expect(rows.get("Clips/clip.mov")?.inode).toBe(statSync(v.abs("Clips/clip.mov")).ino);

    await local.resetStats();
    const after = await sync(v, bucket);
    expect(after.exitCode, after.stdout + after.stderr).toBe(0);
    expect((await local.stats()).uploadedBytes).toBe(0);
    expect(await bucketContents(s3.client, bucket)).toEqual(expectedContents(v, listFiles(v.root)));
  });

  it("a recycled inode (same number, size and mtime, other bytes) is not moved: content decides", async () => {
    const bucket = await freshBucket();
    const v = volume();
    v.file("old.bin", 500_000);
    v.file("keep.bin", 600_000);
    const first = await sync(v, bucket);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    // old.bin is deleted; a new file of the same size and mtime takes its inode number in the DB's eyes.
    // It is born later than the last run's start plus the clock slack the check allows (2 s): a first
    // sync can take less than that, so the file is made 3 s after that run ended.
    await new Promise((r) => setTimeout(r, 3000));
    const { mtime } = statSync(v.abs("old.bin"));
    v.remove("old.bin");
    v.file("new.bin", 500_000, "recycled");
    utimesSync(v.abs("new.bin"), mtime, mtime);
    await recordInodeOf(v, "old.bin", statSync(v.abs("new.bin")).ino);
    await local.resetStats();

    const run = await sync(v, bucket);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(
      run.reports[0].moves.list.filter((m) => m.status === "done"),
      run.stderr,
    ).toEqual([]);
    expect((await local.stats()).uploadedBytes).toBe(500_000);
    expect(await bucketContents(s3.client, bucket)).toEqual(expectedContents(v, listFiles(v.root)));
  });

  it("an object whose ETag proves nothing (parts of an unknown size) but has a CRC64NVME checksum is moved on it", async () => {
    const bucket = await freshBucket();
    const v = volume();
    const data = v.file("doc.pdf", 7 * MIB);
    await uploadWithCrc64(bucket, "old/doc.pdf", data, 5 * MIB + 12345);
    const head = await s3.client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: "old/doc.pdf", ChecksumMode: "ENABLED" }),
    );
    expect(head.ChecksumCRC64NVME).toBeTruthy();
    v.file("decoy.pdf", 7 * MIB, "not the doc"); // same size, other bytes: never moved
    await local.resetStats();

    const run = await sync(v, bucket);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const done = run.reports[0].moves.list.filter((m) => m.status === "done");
    expect(done.map((m) => [m.from, m.to, m.evidence, m.proof])).toEqual([
      ["old/doc.pdf", "doc.pdf", "hash", "crc64nvme"],
    ]);
    expect((await local.stats()).uploadedBytes).toBe(7 * MIB);
    expect(await bucketContents(s3.client, bucket)).toEqual(expectedContents(v, listFiles(v.root)));
  });

  it("a duplicated file and a hard link become server-side copies: 0 bytes uploaded, the source stays", async () => {
    const bucket = await freshBucket();
    const v = volume();
    library(v);
    const first = await sync(v, bucket);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);

    v.file("Backup/song 0.mp3", 300_000, "Music/song 0.mp3"); // a copy of the song's bytes
    linkSync(v.abs("Video/clip.mov"), v.abs("Backup/clip link.mov"));
    await local.resetStats();

    const run = await sync(v, bucket);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const report = run.reports[0];
    expect(
      report.moves.list
        .filter((m) => m.copy)
        .map((m) => [m.from, m.to, m.status, m.evidence])
        .sort(),
    ).toEqual([
      ["Music/song 0.mp3", "Backup/song 0.mp3", "done", "hash"],
      ["Video/clip.mov", "Backup/clip link.mov", "done", "hash"],
    ]);
    expect(report.moves.copied).toBe(2);
    expect((await local.stats()).uploadedBytes).toBe(0);
    expect(await bucketContents(s3.client, bucket)).toEqual(expectedContents(v, listFiles(v.root)));
  });
});

/** A multipart upload with parts of `partSize` and a full-object CRC64NVME, as the SDKs make since 2025. */
async function uploadWithCrc64(bucket: string, key: string, data: Buffer, partSize: number) {
  const client = new S3Client({ ...s3ClientConfig(local), requestChecksumCalculation: "WHEN_REQUIRED" });
  try {
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        ChecksumAlgorithm: "CRC64NVME",
        ChecksumType: "FULL_OBJECT",
      }),
    );
    const parts = [];
    for (let offset = 0, n = 1; offset < data.length; offset += partSize, n++) {
      const part = await client.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          PartNumber: n,
          Body: data.subarray(offset, offset + partSize),
        }),
      );
      parts.push({ PartNumber: n, ETag: part.ETag });
    }
    const crc = new Crc64Nvme();
    crc.update(data);
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        MultipartUpload: { Parts: parts },
        ChecksumCRC64NVME: Buffer.from(await crc.digest()).toString("base64"),
        ChecksumType: "FULL_OBJECT",
      }),
    );
  } finally {
    client.destroy();
  }
}

/** Rewrites the DB row of `rel` to claim another inode (what a recycled number looks like to the planner). */
async function recordInodeOf(v: Volume, rel: string, inode: number) {
  const { openStateDb } = await import("../../src/engine/db");
  const { db } = await openStateDb({ volumeRoot: v.root });
  const row = db.getFile(rel)!;
  db.upsertFiles([{ ...row, inode }]);
  await db.save();
  db.close();
}
