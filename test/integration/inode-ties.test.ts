// Inode evidence that needs content to confirm it, through the real CLI, both aws CLIs and the local S3
// server: a swap of two look-alike files (same size and mtime) is also what two files copied over themselves
// with exchanged inode numbers look like. Content decides: the swap is made only when each file proves
// equal to the other's old object (evidence inode+hash), and nothing is uploaded.
import { statSync, utimesSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { AWS_CLIS, awsCliArgs } from "../support/cli";
import { disposeBundledCli, runBundled as runCli } from "../support/fast-cli";
import { useS3Fixture } from "../support/fixture";
import { listFiles } from "../support/library";
import { bucketContents, expectedContents, type Volume } from "../support/volume";

const { local, s3, volume, freshBucket } = useS3Fixture("ties");
afterAll(async () => {
  await disposeBundledCli();
});

describe.each(AWS_CLIS)("inode ties, with $name", ({ path: awsPath }) => {
  const sync = (v: Volume, bucket: string) =>
    runCli(["sync", v.root, bucket, "--json", "--no-progress", ...awsCliArgs(local, awsPath)], { local });

  it("a swap of look-alikes (same size and mtime) is confirmed by hash and made, 0 bytes uploaded", async () => {
    const bucket = await freshBucket();
    const v = volume();
    v.file("a.wav", 300_000, "first take");
    v.file("b.wav", 300_000, "second take");
    const { atime, mtime } = statSync(v.abs("a.wav"));
    utimesSync(v.abs("b.wav"), atime, mtime);
    const first = await sync(v, bucket);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);

    v.rename("a.wav", "tmp.wav");
    v.rename("b.wav", "a.wav");
    v.rename("tmp.wav", "b.wav");
    await local.resetStats();

    const run = await sync(v, bucket);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(
      run.reports[0].moves.list
        .filter((m) => m.status === "done")
        .map((m) => [m.from, m.to, m.evidence, m.proof])
        .sort(),
    ).toEqual([
      ["a.wav", "b.wav", "inode+hash", "md5"],
      ["b.wav", "a.wav", "inode+hash", "md5"],
    ]);
    expect((await local.stats()).uploadedBytes).toBe(0);
    expect(await bucketContents(s3.client, bucket)).toEqual(expectedContents(v, listFiles(v.root)));
  });
});
