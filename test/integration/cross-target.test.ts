// Files moved from one target to another in a batch (a folder dragged from /Volumes/Work to
// /Volumes/Archive): proven by content against the objects the first target's sync is about to delete, and
// copied server-side across buckets before that sync deletes them. Through the real CLI, both aws CLIs and
// the local S3 server; each asserts both buckets' bytes and the bytes uploaded.
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AWS_CLIS, awsCliArgs } from "../support/cli";
import { disposeBundledCli, runBundled as runCli } from "../support/fast-cli";
import { useS3Fixture } from "../support/fixture";
import { dbRecords, listFiles } from "../support/library";
import { bucketContents, expectedContents, type Volume } from "../support/volume";

const { local, s3, volume, freshBucket } = useS3Fixture("cross");
afterAll(async () => {
  await disposeBundledCli();
});

const MIB = 1024 * 1024;

/** Moves a folder to another volume as Finder does across volumes: a copy that keeps mtimes, then a delete. */
function moveBetween(from: Volume, to: Volume, rel: string, newRel = rel) {
  mkdirSync(path.dirname(to.abs(newRel)), { recursive: true });
  cpSync(from.abs(rel), to.abs(newRel), { recursive: true, preserveTimestamps: true });
  rmSync(from.abs(rel), { recursive: true });
}

describe.each(AWS_CLIS)("files moved between targets of one batch, with $name", ({ path: awsPath }) => {
  async function twoTargets() {
    const [workBucket, archiveBucket] = [await freshBucket(), await freshBucket()];
    const work = volume();
    const archive = volume();
    work.file("Project/clip.mov", 9 * MIB + 123); // aws uploads it in two parts
    work.file("Project/take.wav", 400_000);
    work.file("Project/notes.txt", 2000); // below the size floor: uploaded again
    work.file("Project/draft.bin", 500_000);
    work.file("keep.doc", 300_000);
    archive.file("2019/old.doc", 300_000);
    const config = path.join(work.root, "..", `${path.basename(work.root)}.conf`);
    // Work runs first: its aws deletes the old objects, so the copies must be made before it runs.
    writeFileSync(
      config,
      `${work.root} | ${workBucket} | | | name=Work\n${archive.root} | ${archiveBucket} | | | name=Archive\n`,
    );
    const batch = (extra: string[] = []) =>
      runCli(["batch", "-c", config, "--no-progress", ...awsCliArgs(local, awsPath), ...extra], { local });
    const first = await batch();
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    return { work, archive, workBucket, archiveBucket, batch };
  }

  it("a folder moved to another target is copied across buckets (0 bytes uploaded for it); a decoy is uploaded", async () => {
    const { work, archive, workBucket, archiveBucket, batch } = await twoTargets();
    const clipEtag = (await s3.client.send(new HeadObjectCommand({ Bucket: workBucket, Key: "Project/clip.mov" })))
      .ETag;
    expect(clipEtag).toMatch(/-2"$/);
    moveBetween(work, archive, "Project", "2024/Project");
    // A decoy: the size of the moved draft, other bytes, in the other target; its look-alike leaves Work.
    archive.file("2024/Project/draft.bin", 500_000, "other bytes");
    await local.resetStats();

    const workBefore = await bucketContents(s3.client, workBucket);
    const dry = await batch(["-n"]);
    expect(dry.exitCode, dry.stdout + dry.stderr).toBe(0);
    expect(dry.stdout).toContain(
      `would copy s3://${workBucket}/Project/clip.mov → 2024/Project/clip.mov (9.4 MB, cross-target (multipart ETag))`,
    );
    expect(dry.stdout).toMatch(
      /would copy s3:\/\/\S+\/Project\/take\.wav → 2024\/Project\/take\.wav \(.*cross-target \(MD5\)\)/,
    );
    expect(dry.stdout).not.toMatch(/would copy .*draft\.bin/);
    expect(dry.stdout).not.toMatch(/would upload .*clip\.mov/);
    expect((await local.stats()).uploadedBytes).toBe(0);
    expect(await bucketContents(s3.client, workBucket)).toEqual(workBefore);

    const run = await batch(["--json"]);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const [workReport, archiveReport] = run.reports;
    expect(workReport.aws?.deletes).toBe(4);
    const copies = archiveReport.moves.list.filter((m) => m.status === "done");
    expect(copies.map((m) => [m.from, m.to, m.evidence, m.proof, m.fromTarget, m.fromBucket]).sort()).toEqual(
      [
        ["Project/clip.mov", "2024/Project/clip.mov", "cross-target", "multipart-etag", "Work", workBucket],
        ["Project/take.wav", "2024/Project/take.wav", "cross-target", "md5", "Work", workBucket],
      ].sort(),
    );
    expect(archiveReport.moves.copied).toBe(2);
    expect(archiveReport.hashing).toMatchObject({ proven: 2 });
    // Only the small file and the decoy went over the wire.
    expect((await local.stats()).uploadedBytes).toBe(2000 + 500_000);
    expect(await bucketContents(s3.client, workBucket)).toEqual(expectedContents(work, listFiles(work.root)));
    expect(await bucketContents(s3.client, archiveBucket)).toEqual(expectedContents(archive, listFiles(archive.root)));
    // The Archive DB records each copy with the ETag its object has now (a copy has its own ETag).
    const rows = new Map((await dbRecords(archive.root)).map((r) => [r.path, r]));
    const copied = await s3.client.send(new HeadObjectCommand({ Bucket: archiveBucket, Key: "2024/Project/clip.mov" }));
    expect(rows.get("2024/Project/clip.mov")?.etag).toBe(copied.ETag?.replaceAll('"', ""));
    expect((await dbRecords(work.root)).map((r) => r.path)).toEqual(["keep.doc"]);

    await local.resetStats();
    const again = await batch(["--json"]);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect((await local.stats()).uploadedBytes).toBe(0);
    expect(again.reports.every((r) => r.moves.list.length === 0 && r.aws?.deletes === 0)).toBe(true);
  });

  it("a copy between targets that S3 refuses is left to aws: the file is uploaded, nothing is lost", async () => {
    const { work, archive, workBucket, archiveBucket, batch } = await twoTargets();
    moveBetween(work, archive, "Project/take.wav", "take.wav");
    await local.setFaults({ operations: ["CopyObject"], failAfterRequests: 0, failMode: "InternalError" });
    await local.resetStats();
    let run;
    try {
      run = await batch(["--json"]);
    } finally {
      await local.clearFaults();
    }
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const archiveReport = run.reports[1];
    expect(archiveReport.moves.list.map((m) => [m.to, m.status, m.evidence])).toEqual([
      ["take.wav", "failed", "cross-target"],
    ]);
    expect(archiveReport.notices.join("\n")).toMatch(/could not be made and are left to aws/);
    expect((await local.stats()).uploadedBytes).toBe(400_000);
    expect(await bucketContents(s3.client, workBucket)).toEqual(expectedContents(work, listFiles(work.root)));
    expect(await bucketContents(s3.client, archiveBucket)).toEqual(expectedContents(archive, listFiles(archive.root)));
  });
});
