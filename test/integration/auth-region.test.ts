// Credentials S3 does not know, a bucket in another region, and a volume this user cannot read, through
// the real CLI: each gives its message and exit code and changes nothing (bucket, DB file).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DB_FILE_NAME } from "../../src/engine/db";
import { awsCliArgs, awsOnPath, parseReports } from "../support/cli";
import { execa } from "execa";
import { bundledCli, disposeBundledCli, runBundled as runCli } from "../support/fast-cli";
import { dbRecords } from "../support/library";
import { INVALID_ACCESS_KEY_ID } from "../support/local-s3/control";
import { useS3Fixture } from "../support/fixture";
import { bucketContents, sha, Volume } from "../support/volume";

const AWS = awsOnPath();
const { local, s3, volume, freshBucket } = useS3Fixture("auth");

afterAll(async () => {
  await disposeBundledCli();
});

const sync = (v: Volume, bucket: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  runCli(["sync", v.root, bucket, "--no-progress", "--json", ...awsCliArgs(local, AWS), ...extra], { local, env });

/**
 * A synced volume with a rename pending, so a run that got through would move an object. The DB's file
 * records are compared, not its bytes: a failed run still records itself as the last run (DESIGN.md).
 */
async function syncedWithPendingMove(bucket: string) {
  const v = volume();
  v.file("music/a.mp3", 1500);
  v.file("b.txt", 40);
  const first = await sync(v, bucket);
  expect(first.exitCode, first.stdout + first.stderr).toBe(0);
  v.rename("music/a.mp3", "music/renamed.mp3");
  const contents = await bucketContents(s3.client, bucket);
  return { v, contents, records: await dbRecords(v.root) };
}

describe("credentials", () => {
  it("an access key S3 does not know: CREDENTIALS naming the fix, exit 1, bucket and DB untouched", async () => {
    const bucket = await freshBucket();
    const { v, contents, records } = await syncedWithPendingMove(bucket);
    const run = await sync(v, bucket, [], { AWS_ACCESS_KEY_ID: INVALID_ACCESS_KEY_ID });
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    const error = run.reports[0].error;
    expect(error?.code).toBe("CREDENTIALS");
    expect(error?.message).toContain("AWS credentials were not accepted");
    expect(error?.message).toContain("The AWS Access Key Id you provided does not exist in our records.");
    expect(error?.hint).toContain("aws configure");
    expect(await bucketContents(s3.client, bucket)).toEqual(contents);
    expect(await dbRecords(v.root)).toEqual(records);

    const text = await runCli(["sync", v.root, bucket, "--no-progress", ...awsCliArgs(local, AWS)], {
      local,
      env: { AWS_ACCESS_KEY_ID: INVALID_ACCESS_KEY_ID },
    });
    expect(text.exitCode).toBe(1);
    expect(text.stdout + text.stderr).toContain("AWS credentials were not accepted");
    expect(text.stdout + text.stderr).toContain("aws configure");
  }, 60_000);
});

describe("regions", () => {
  it("a bucket in another region: WRONG_REGION naming it, exit 1, untouched; with --region it syncs", async () => {
    const bucket = await freshBucket();
    const { v, contents, records } = await syncedWithPendingMove(bucket);
    await local.setBucketRegion(bucket, "eu-west-1");
    try {
      await local.resetStats();
      const run = await sync(v, bucket);
      expect(run.exitCode, run.stdout + run.stderr).toBe(1);
      const error = run.reports[0].error;
      expect(error?.code).toBe("WRONG_REGION");
      expect(error?.message).toBe(`Bucket ${bucket} is in region eu-west-1, not the one configured.`);
      expect(error?.hint).toBe("Set region = eu-west-1 for this target (or in the AWS profile).");
      expect(
        (await local.requests()).filter((r) => r.status >= 200 && r.status < 300 && r.op !== "GetBucketLocation"),
      ).toEqual([]);
      expect(await dbRecords(v.root)).toEqual(records);

      const right = await sync(v, bucket, ["--region", "eu-west-1"]);
      expect(right.exitCode, right.stdout + right.stderr).toBe(0);
      expect(right.reports[0].moves.done).toBe(1);
    } finally {
      await local.setBucketRegion(bucket, undefined);
    }
    expect(contents["music/a.mp3"]).toBeDefined();
    expect(await bucketContents(s3.client, bucket)).toEqual({
      "b.txt": contents["b.txt"],
      "music/renamed.mp3": contents["music/a.mp3"],
    });
  }, 60_000);

  it("batch: a target in another region fails, the other target still syncs", async () => {
    const far = await freshBucket();
    const near = await freshBucket();
    await local.setBucketRegion(far, "eu-west-1");
    try {
      const a = volume();
      a.file("far.txt", 100);
      const b = volume();
      b.file("near.txt", 100);
      const config = path.join(mkdtempSync(path.join(tmpdir(), "auth-conf-")), "targets.conf");
      const options = `endpoint=${local.endpoint}, aws_cli=${AWS}`;
      writeFileSync(config, `${a.root} | ${far} | | | ${options}\n${b.root} | ${near} | | | ${options}\n`);
      const run = await runCli(["batch", "-c", config, "--json", "--no-progress"], { local });
      expect(run.exitCode, run.stdout + run.stderr).toBe(1);
      expect(run.reports.map((r) => r.status)).toEqual(["failed", "ok"]);
      expect(run.reports[0].error?.code).toBe("WRONG_REGION");
      expect(run.reports[0].error?.message).toContain("eu-west-1");
      expect(await bucketContents(s3.client, near)).toEqual({ "near.txt": sha(b.read("near.txt")) });
      expect(existsSync(a.abs(DB_FILE_NAME))).toBe(false);
    } finally {
      await local.setBucketRegion(far, undefined);
    }
    expect(await bucketContents(s3.client, far)).toEqual({});
  }, 60_000);
});

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;

describe("unreadable volume", () => {
  it("a volume this user cannot read: VOLUME_UNREADABLE with its hint, exit 1, nothing written", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "auth-unreadable-"));
    const root = path.join(dir, "Volumes", "Closed");
    try {
      // The CLI runs as nobody (root reads everything), from a bundle copied where nobody can read it.
      const binDir = path.join(dir, "bin");
      mkdirSync(binDir);
      const bin = await bundledCli();
      for (const name of ["cli.mjs", "sql-wasm.wasm"]) {
        writeFileSync(path.join(binDir, name), readFileSync(path.join(path.dirname(bin), name)));
      }
      mkdirSync(root, { recursive: true });
      writeFileSync(path.join(root, "song.mp3"), "x".repeat(100));
      for (const p of [dir, binDir, path.dirname(root)]) chmodSync(p, 0o755);
      chmodSync(root, 0o000);
      const bucket = await freshBucket();
      await local.resetStats();
      const result = await execa(
        process.execPath,
        [path.join(binDir, "cli.mjs"), "sync", root, bucket, "--no-progress", "--json", ...awsCliArgs(local, AWS)],
        {
          reject: false,
          extendEnv: false,
          stdin: "ignore",
          cwd: dir,
          timeout: 60_000,
          env: {
            PATH: process.env.PATH,
            HOME: dir,
            AWS_ACCESS_KEY_ID: "local",
            AWS_SECRET_ACCESS_KEY: "local-secret",
            AWS_DEFAULT_REGION: "us-east-1",
            AWS_EC2_METADATA_DISABLED: "true",
          },
          ...(isRoot ? { uid: 65534, gid: 65534 } : {}),
        },
      );
      const stdout = String(result.stdout);
      expect(result.exitCode, stdout + result.stderr).toBe(1);
      const [report] = parseReports(stdout);
      expect(report.error?.code, JSON.stringify(report.error)).toBe("VOLUME_UNREADABLE");
      expect(report.error?.message).toBe(`${root} cannot be read`);
      expect(report.error?.hint).toBe(
        "Give this process read access to the folder (on macOS: Full Disk Access for the terminal or Raycast).",
      );
      chmodSync(root, 0o755);
      expect(existsSync(path.join(root, DB_FILE_NAME))).toBe(false);
      expect(await bucketContents(s3.client, bucket)).toEqual({});
    } finally {
      chmodSync(root, 0o755);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
