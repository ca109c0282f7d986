// aws beside the moves (src/engine/run/early-aws.ts), through the real CLI, both aws CLIs and the local S3
// server with every CopyObject held back: aws uploads the new files while the moves are still being made,
// never uploads a moved file, and a move that fails under it (412) or a file that now sits at a vacated
// path is taken by the follow-up aws run. The bucket ends holding the volume's bytes, the DB rows name
// each file's own object, and the next sync has nothing to do.
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { AWS_CLIS, awsCliArgs } from "../support/cli";
import { disposeBundledCli, runBundled as runCli } from "../support/fast-cli";
import { useS3Fixture } from "../support/fixture";
import { hashes, listFiles } from "../support/library";
import { expectRowsTrue, firstCopySource } from "../support/move-checks";
import { bucketContents, bytesFor, type Volume } from "../support/volume";
import type { RequestLogEntry } from "../support/local-s3/control";

const { local, s3, volume, freshBucket } = useS3Fixture("early-aws");
afterAll(async () => {
  await disposeBundledCli();
});

const UPLOADS = new Set(["PutObject", "UploadPart"]);
const uploadedKeys = (log: RequestLogEntry[]) =>
  [...new Set(log.filter((e) => UPLOADS.has(e.op)).map((e) => e.key))].sort();

describe.each(AWS_CLIS)("aws beside the moves, with $name", ({ path: awsPath }) => {
  const sync = (v: Volume, bucket: string) =>
    runCli(["sync", v.root, bucket, "--json", "--no-progress", ...awsCliArgs(local, awsPath)], { local });

  async function synced(v: Volume) {
    const bucket = await freshBucket();
    const first = await sync(v, bucket);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    await local.resetStats();
    return bucket;
  }

  /** The sync with every CopyObject answered only after `latencyMs`; `during` runs once it is started. */
  async function syncWithSlowCopies(v: Volume, bucket: string, during?: () => Promise<void>, latencyMs = 1500) {
    await local.setFaults({ operations: ["CopyObject"], latencyMs });
    try {
      const running = sync(v, bucket);
      await during?.();
      return await running;
    } finally {
      await local.clearFaults();
    }
  }

  it("uploads new and edited files while the moves are made, and never a moved file", async () => {
    const v = volume();
    for (let i = 0; i < 6; i++) v.file(`Album/track ${i}.flac`, 20_000 + i, `t${i}`);
    v.file("Inbox/scan.pdf", 9000, "scan");
    v.file("Docs/kept.pdf", 300, "kept");
    v.file("notes.txt", 500, "notes v1");
    v.file("gone.txt", 100, "gone");
    const bucket = await synced(v);

    v.rename("Album", "Albums [2024]"); // a folder renamed: its files and old objects are left alone as folders
    v.rename("Inbox/scan.pdf", "Docs/scan.pdf"); // into a folder with other files: left alone as paths
    v.write("new.bin", bytesFor("new", 40_000));
    v.write("notes.txt", bytesFor("notes v2", 700));
    v.remove("gone.txt");
    // Every copy is held 10 s, far longer than aws takes to start and list on a busy machine.
    const run = await syncWithSlowCopies(v, bucket, undefined, 10_000);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const report = run.reports[0];
    expect(report.moves.done).toBe(7);
    expect(report.aws?.uploads).toBe(2);

    const log = await local.requests();
    const copies = log.filter((e) => e.op === "CopyObject");
    expect(copies).toHaveLength(7);
    // aws's upload of the new file reached the server while the copies were still held.
    const put = log.find((e) => e.op === "PutObject" && e.key === "new.bin")!;
    const firstCopyAnswered = Math.min(...copies.map((e) => e.at + e.ms));
    expect(put.at).toBeLessThan(firstCopyAnswered);
    expect(uploadedKeys(log)).toEqual(["new.bin", "notes.txt"]);
    expect(log.filter((e) => e.op === "DeleteObject").map((e) => e.key)).toEqual(["gone.txt"]);
    expect(await bucketContents(s3.client, bucket)).toEqual(hashes(v, listFiles(v.root)));
    await expectRowsTrue(s3.client, v, bucket);

    await local.resetStats();
    const rerun = await sync(v, bucket);
    expect(rerun.exitCode, rerun.stdout + rerun.stderr).toBe(0);
    expect(rerun.reports[0].moves.done).toBe(0);
    expect(uploadedKeys(await local.requests())).toEqual([]);
  }, 180_000);

  it("a move refused while aws runs (its source changed): the follow-up aws uploads its file and deletes the old object", async () => {
    const v = volume();
    v.file("a/one.bin", 5000, "one");
    v.file("a/two.bin", 6000, "two");
    v.file("b/stay.bin", 700, "stay");
    const bucket = await synced(v);

    v.rename("a/one.bin", "b/one.bin");
    v.rename("a/two.bin", "b/two.bin");
    v.write("fresh.txt", bytesFor("fresh", 800));
    let changed = "";
    const run = await syncWithSlowCopies(v, bucket, async () => {
      // Another writer replaces the first copy's source while the copy is held: CopySourceIfMatch fails.
      changed = await firstCopySource(local);
      await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: changed, Body: bytesFor("theirs", 5000) }));
    });
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    const report = run.reports[0];
    expect(report.moves.failed).toBe(1);
    expect(report.moves.done).toBe(1);
    const failedTo = changed.replace("a/", "b/");

    const log = await local.requests();
    expect(log.find((e) => e.op === "CopyObject" && e.source?.key === changed)?.status).toBe(412);
    // Uploaded: the other writer's object, the new file, and the failed move's file (by the follow-up
    // run, after the refusal).
    expect(uploadedKeys(log)).toEqual([changed, failedTo, "fresh.txt"].sort());
    const refusedAt = log.find((e) => e.op === "CopyObject" && e.status === 412)!;
    expect(log.find((e) => e.op === "PutObject" && e.key === failedTo)!.at).toBeGreaterThanOrEqual(
      refusedAt.at + refusedAt.ms,
    );
    // The other writer's object at the old key goes with --delete: the volume no longer has that file.
    const after = await bucketContents(s3.client, bucket);
    expect(after).toEqual(hashes(v, listFiles(v.root)));
    expect(Object.keys(after)).not.toContain(changed);
    await expectRowsTrue(s3.client, v, bucket);

    await local.resetStats();
    const rerun = await sync(v, bucket);
    expect(rerun.exitCode, rerun.stdout + rerun.stderr).toBe(0);
    expect(uploadedKeys(await local.requests())).toEqual([]);
  }, 180_000);

  it("a new file at a path a move vacated is uploaded after the move deleted its old object", async () => {
    const v = volume();
    v.file("photos/cat.jpg", 12_000, "cat");
    v.file("photos/dog.jpg", 9000, "dog");
    const bucket = await synced(v);

    v.rename("photos/cat.jpg", "photos/cat-2019.jpg");
    v.write("photos/cat.jpg", bytesFor("another cat", 3000));
    const run = await syncWithSlowCopies(v, bucket);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.reports[0].moves.done).toBe(1);
    const log = await local.requests();
    expect(uploadedKeys(log)).toEqual(["photos/cat.jpg"]);
    const copy = log.find((e) => e.op === "CopyObject")!;
    expect(log.find((e) => e.op === "PutObject")!.at).toBeGreaterThanOrEqual(copy.at + copy.ms);
    expect(await bucketContents(s3.client, bucket)).toEqual(hashes(v, listFiles(v.root)));
    await expectRowsTrue(s3.client, v, bucket);
  }, 180_000);
});
