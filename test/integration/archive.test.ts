// Archived objects end to end, with the real CLI and aws CLI against the emulated Glacier of the local
// server: a move whose source is archived waits (nothing uploaded, nothing deleted), `restore` starts the
// restore, `restore-status` follows it, and the next sync makes the move with 0 bytes uploaded.
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { awsCliArgs, awsOnPath } from "../support/cli";
import { disposeBundledCli, runBundled as runCli } from "../support/fast-cli";
import { useS3Fixture } from "../support/fixture";
import { bucketContents, sha, Volume } from "../support/volume";

const AWS = awsOnPath();
const { local, s3, volume, freshBucket } = useS3Fixture("archive");

afterAll(async () => {
  await disposeBundledCli();
});

/** Keys with size and ETag from a listing (GetObject on an archived object is refused, as in S3). */
async function listing(bucket: string): Promise<Record<string, string>> {
  const page = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return Object.fromEntries((page.Contents ?? []).map((o) => [o.Key!, `${o.Size} ${o.ETag}`]));
}

async function syncedLibrary() {
  const bucket = await freshBucket();
  const v = volume();
  const song = v.file("Live/song.flac", 300_000);
  v.file("other.txt", 1000);
  const first = await runCli(["sync", v.root, bucket, "--json", ...awsCliArgs(local, AWS)], { local });
  expect(first.exitCode, first.stderr + first.stdout).toBe(0);
  return { bucket, v, song };
}

const cli = (command: string, v: Volume, bucket: string, extra: string[] = []) =>
  runCli([command, v.root, bucket, "--json", ...awsCliArgs(local, AWS), ...extra], { local });

it("archived move: pending (exit 2) → restore → restore-status → next sync moves it, 0 bytes uploaded", async () => {
  const { bucket, v } = await syncedLibrary();
  await local.setStorageClass(bucket, "Live/song.flac", "GLACIER");
  v.rename("Live/song.flac", "Sorted/song.flac");
  const before = await listing(bucket);

  await local.resetStats();
  const pending = await cli("sync", v, bucket);
  expect(pending.exitCode, pending.stderr + pending.stdout).toBe(2);
  const report = pending.reports[0];
  expect(report.status).toBe("partial");
  expect(report.moves.pendingRestore).toBe(1);
  expect(report.moves.list).toEqual([
    expect.objectContaining({
      from: "Live/song.flac",
      to: "Sorted/song.flac",
      status: "pending-restore",
      storageClass: "GLACIER",
    }),
  ]);
  expect(report.notices.join("\n")).toMatch(/s3-smart-sync restore .* /);
  // aws neither uploaded the new path nor deleted the archived object.
  let log = await local.requests();
  expect((await local.stats()).uploadedBytes).toBe(0);
  expect(log.filter((e) => e.op === "DeleteObject" || e.op === "DeleteObjects")).toEqual([]);
  expect((await local.objectInfo(bucket, "Live/song.flac"))?.storageClass).toBe("GLACIER");
  expect(await listing(bucket)).toEqual(before);

  // The text form tells the user what waits and how to restore it.
  const text = await runCli(["sync", v.root, bucket, "--no-progress", ...awsCliArgs(local, AWS)], { local });
  expect(text.exitCode).toBe(2);
  expect(text.stdout).toContain("waiting for restore (GLACIER): Live/song.flac → Sorted/song.flac");

  const restore = await cli("restore", v, bucket, []);
  expect(restore.exitCode, restore.stderr + restore.stdout).toBe(0);
  const started = JSON.parse(restore.stdout.trim()).restores;
  expect(started).toEqual([
    expect.objectContaining({ srcKey: "Live/song.flac", state: "in-progress", expected: "5–12 hours" }),
  ]);
  expect((await local.objectInfo(bucket, "Live/song.flac"))?.restore).toEqual(
    expect.objectContaining({ ongoing: true }),
  );
  const restoreText = await runCli(["restore", v.root, bucket, ...awsCliArgs(local, AWS)], { local });
  expect(restoreText.stdout).toMatch(/in-progress\s+Live\/song\.flac \(GLACIER\) → Sorted\/song\.flac/);

  const inProgress = await cli("restore-status", v, bucket);
  expect(JSON.parse(inProgress.stdout.trim()).restores).toEqual([
    expect.objectContaining({ srcKey: "Live/song.flac", state: "in-progress" }),
  ]);
  await local.completeRestore(bucket, "Live/song.flac");
  const restored = await cli("restore-status", v, bucket);
  expect(JSON.parse(restored.stdout.trim()).restores).toEqual([
    expect.objectContaining({ srcKey: "Live/song.flac", state: "restored", expiry: expect.any(String) }),
  ]);

  await local.resetStats();
  const moved = await cli("sync", v, bucket);
  expect(moved.exitCode, moved.stderr + moved.stdout).toBe(0);
  expect(moved.reports[0].moves.done).toBe(1);
  expect((await local.stats()).uploadedBytes).toBe(0);
  log = await local.requests();
  const copy = log.find((e) => e.op === "CopyObject" && e.status === 200 && e.key === "Sorted/song.flac");
  const removal = log.find(
    (e) =>
      (e.op === "DeleteObject" && e.key === "Live/song.flac") ||
      (e.op === "DeleteObjects" && e.keys?.includes("Live/song.flac")),
  );
  expect(copy).toBeDefined();
  expect(removal).toBeDefined();
  expect(copy!.seq).toBeLessThan(removal!.seq);
  // The new key holds the same object (size and ETag), and the copy keeps its storage class.
  expect(await listing(bucket)).toEqual({
    "Sorted/song.flac": before["Live/song.flac"],
    "other.txt": before["other.txt"],
  });
  expect(before["Live/song.flac"]).toMatch(/^300000 /);
  expect((await local.objectInfo(bucket, "Sorted/song.flac"))?.storageClass).toBe("GLACIER");
  const after = await cli("restore-status", v, bucket);
  expect(JSON.parse(after.stdout.trim()).restores).toEqual([]);
}, 120_000);

it("archived=upload in the config: batch lets aws upload the file instead of waiting", async () => {
  const { bucket, v, song } = await syncedLibrary();
  await local.setStorageClass(bucket, "Live/song.flac", "DEEP_ARCHIVE");
  v.rename("Live/song.flac", "Sorted/song.flac");
  const config = path.join(v.root, "..", `${path.basename(v.root)}.conf`);
  writeFileSync(config, `${v.root} | ${bucket} | | | archived=upload, endpoint=${local.endpoint}, aws_cli=${AWS}\n`);
  await local.resetStats();
  const run = await runCli(["batch", "-c", config, "--json"], { local });
  expect(run.exitCode, run.stderr + run.stdout).toBe(0);
  expect(run.reports[0].moves.pendingRestore).toBe(0);
  expect(run.reports[0].moves.done).toBe(0);
  expect((await local.stats()).uploadedBytes).toBeGreaterThanOrEqual(300_000);
  expect(await bucketContents(s3.client, bucket)).toEqual({
    "Sorted/song.flac": sha(song),
    "other.txt": sha(v.read("other.txt")),
  });
}, 90_000);

it("Expedited is refused for Deep Archive with a clear message, and no restore is requested", async () => {
  const { bucket, v } = await syncedLibrary();
  await local.setStorageClass(bucket, "Live/song.flac", "DEEP_ARCHIVE");
  v.rename("Live/song.flac", "Sorted/song.flac");
  expect((await cli("sync", v, bucket)).exitCode).toBe(2);
  await local.resetStats();
  const run = await runCli(["restore", v.root, bucket, "--tier", "expedited", ...awsCliArgs(local, AWS)], { local });
  expect(run.exitCode).toBe(1);
  expect(run.stdout).toContain("Expedited retrieval is not available for DEEP_ARCHIVE; use standard or bulk.");
  expect((await local.requests()).filter((e) => e.op === "RestoreObject")).toEqual([]);
  expect((await local.objectInfo(bucket, "Live/song.flac"))?.restore).toBeUndefined();
  // The standard tier is accepted, with S3's documented time for Deep Archive.
  const standard = await cli("restore", v, bucket, ["--tier", "standard"]);
  expect(standard.exitCode).toBe(0);
  expect(JSON.parse(standard.stdout.trim()).restores[0]).toEqual(
    expect.objectContaining({ state: "in-progress", expected: "within 12 hours" }),
  );
}, 90_000);
