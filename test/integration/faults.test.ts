// Faults from S3 and the network, injected by the local server's proxy between the tool (and the aws CLI)
// and the server: a run with 200 moves either completes (retries) or stops cleanly with a message; the
// bucket and DB agree with each other; a rerun without faults finishes the job with nothing uploaded.
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTarget } from "../../src/engine/run";
import { awsCliArgs, awsOnPath } from "../support/cli";
import { disposeBundledCli, runBundled as runCli } from "../support/fast-cli";
import { dbRecords, hashes, listFiles, uploadAll } from "../support/library";
import { s3ClientConfig, useLocalS3, useServerKeysInProcess, type Faults } from "../support/local-s3";
import { bucketContents, bytesFor, sha, Volume } from "../support/volume";

const MOVES = 200;
const AWS = awsOnPath();
const local = useLocalS3();
let client: S3Client;
let bucketCount = 0;
const volumes: Volume[] = [];

beforeAll(() => {
  client = new S3Client(s3ClientConfig(local));
  useServerKeysInProcess();
});
afterAll(async () => {
  for (const v of volumes) v.dispose();
  await disposeBundledCli();
});

async function freshBucket(): Promise<string> {
  const name = `faults-${++bucketCount}`;
  await local.createBucket(name);
  return name;
}

/** 200 files in a folder, in the bucket and recorded by a baseline run; the folder then renamed. */
async function library(bucket: string) {
  const v = new Volume("faults");
  volumes.push(v);
  for (let i = 0; i < MOVES; i++) v.file(`Crate/${String(i).padStart(3, "0")} track.mp3`, 400 + i);
  const files = listFiles(v.root);
  await uploadAll(client, bucket, v, files);
  const baseline = await runTarget(
    { name: "faults", localPath: v.root, bucket, prefix: "", excludes: [], endpointUrl: local.endpoint },
    { command: "moves", log: false },
  );
  expect(baseline.status).toBe("ok");
  const contents = new Set(Object.values(hashes(v, files)));
  v.rename("Crate", "Crate (sorted)");
  return { v, contents };
}

/** Every DB row's key holds the bytes of the file now at that row's inode, and no content is lost. */
async function expectConsistent(v: Volume, bucket: string, contents: Set<string>) {
  const inBucket = await bucketContents(client, bucket);
  const byInode = new Map(listFiles(v.root).map((f) => [statSync(v.abs(f)).ino, f]));
  for (const row of await dbRecords(v.root)) {
    const file = byInode.get(row.inode);
    expect(file, `row ${row.path}`).toBeDefined();
    expect(inBucket[row.path], `the key of row ${row.path}`).toBe(sha(v.read(file!)));
  }
  const present = new Set(Object.values(inBucket));
  expect([...contents].filter((h) => !present.has(h))).toEqual([]);
}

const FAULTS: [string, Faults][] = [
  ["503 SlowDown at 30%", { slowDownRate: 0.3, seed: 11 }],
  ["500 InternalError at 20%", { internalErrorRate: 0.2, seed: 12 }],
  ["dropped connections at 10%", { dropRate: 0.1, seed: 13 }],
  ["slow responses (150 ms each)", { latencyMs: 150 }],
];

describe.each(FAULTS)("moves under %s", (_name, faults) => {
  it("completes or stops cleanly with a message; bucket and DB agree; a rerun finishes with 0 bytes uploaded", async () => {
    const bucket = await freshBucket();
    const { v, contents } = await library(bucket);
    const args = ["moves", v.root, bucket, "--json", "--endpoint-url", local.endpoint];
    await local.setFaults(faults);
    let run;
    try {
      run = await runCli(args, { local });
    } finally {
      await local.clearFaults();
    }
    const report = run.reports[0];
    expect(report, run.stderr + run.stdout).toBeDefined();
    if (run.exitCode !== 0) {
      // Stopped: says why, in words, and the moves it made are recorded.
      expect(run.exitCode).toBe(1);
      expect(report.status).toMatch(/failed|partial/);
      expect(report.error?.message ?? report.moves.list.find((m) => m.reason)?.reason).toMatch(/\w{4,}/);
    } else {
      expect(report.moves.done).toBe(MOVES);
    }
    await expectConsistent(v, bucket, contents);

    await local.resetStats();
    const rerun = await runCli(args, { local });
    expect(rerun.exitCode, rerun.stderr + rerun.stdout).toBe(0);
    expect((await local.stats()).uploadedBytes).toBe(0);
    expect(await bucketContents(client, bucket)).toEqual(hashes(v, listFiles(v.root)));
    await expectConsistent(v, bucket, contents);
  }, 90_000);
});

describe("sync (aws CLI through the same proxy) under 503 SlowDown at 20%", () => {
  it("completes or stops cleanly, and a rerun leaves the bucket equal to the volume", async () => {
    const bucket = await freshBucket();
    const { v, contents } = await library(bucket);
    v.file("new/one.bin", 5000);
    v.file("new/two.bin", 6000);
    const args = ["sync", v.root, bucket, "--json", ...awsCliArgs(local, AWS)];
    await local.setFaults({ slowDownRate: 0.2, seed: 21 });
    let run;
    try {
      run = await runCli(args, { local });
    } finally {
      await local.clearFaults();
    }
    expect(run.reports[0], run.stderr + run.stdout).toBeDefined();
    if (run.exitCode !== 0) expect(run.reports[0].error?.message ?? run.reports[0].aws?.outcome).toBeTruthy();
    await expectConsistent(v, bucket, contents);

    await local.resetStats();
    const rerun = await runCli(args, { local });
    expect(rerun.exitCode, rerun.stderr + rerun.stdout).toBe(0);
    const log = await local.requests();
    // The rerun uploads at most the two new files, never a moved one.
    expect(log.filter((e) => e.op === "PutObject" && !e.key.startsWith("new/"))).toEqual([]);
    expect(await bucketContents(client, bucket)).toEqual(hashes(v, listFiles(v.root)));
  }, 120_000);
});

describe("a source that changed in S3", () => {
  const syncArgs = (v: Volume, bucket: string) => ["sync", v.root, bucket, "--json", ...awsCliArgs(local, AWS)];

  it("changed since the DB recorded its ETag: not moved; aws uploads the file and deletes the old key", async () => {
    const bucket = await freshBucket();
    const v = new Volume("changed");
    volumes.push(v);
    const mine = v.file("a.bin", 20_000, "mine");
    v.file("other.bin", 1000);
    expect((await runCli(syncArgs(v, bucket), { local })).exitCode).toBe(0);
    // Someone else overwrites the object with same-size bytes; then the user renames the file.
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: "a.bin", Body: bytesFor("theirs", 20_000) }));
    v.rename("a.bin", "b.bin");
    await local.resetStats();
    const run = await runCli(syncArgs(v, bucket), { local });
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    expect(run.reports[0].moves.done).toBe(0);
    expect(run.reports[0].moves.list).toEqual([
      expect.objectContaining({
        from: "a.bin",
        to: "b.bin",
        status: "skipped",
        reason: expect.stringMatching(/other bytes/),
      }),
    ]);
    const stats = await local.stats();
    expect(stats.ops.CopyObject).toBeUndefined();
    expect(stats.uploadedBytes).toBeGreaterThanOrEqual(20_000);
    expect(await bucketContents(client, bucket)).toEqual({ "b.bin": sha(mine), "other.bin": sha(v.read("other.bin")) });
  }, 60_000);

  it("changed between planning and the copy: the conditional copy gets 412, nothing is lost, aws uploads", async () => {
    const bucket = await freshBucket();
    const v = new Volume("race");
    volumes.push(v);
    const mine = v.file("a.bin", 20_000, "mine");
    expect((await runCli(syncArgs(v, bucket), { local })).exitCode).toBe(0);
    v.rename("a.bin", "b.bin");
    await local.resetStats();
    await local.setFaults({ operations: ["CopyObject"], latencyMs: 1500 });
    let run;
    try {
      const pending = runCli(syncArgs(v, bucket), { local });
      // While the copy waits in the proxy, another writer replaces the source object.
      const deadline = Date.now() + 30_000;
      while (!(await local.stats()).ops.CopyObject && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: "a.bin", Body: bytesFor("theirs", 20_000) }));
      run = await pending;
    } finally {
      await local.clearFaults();
    }
    const copies = (await local.requests()).filter((e) => e.op === "CopyObject");
    expect(copies.map((e) => e.status)).toEqual([412]);
    // The move failed safe (exit 1 names it); aws uploaded the local bytes and removed the old key.
    expect(run.exitCode, run.stdout).toBe(1);
    expect(run.reports[0].moves.failed).toBe(1);
    expect(run.reports[0].moves.list[0].reason).toMatch(/changed|precondition|412/i);
    expect(await bucketContents(client, bucket)).toEqual({ "b.bin": sha(mine) });
    const rerun = await runCli(syncArgs(v, bucket), { local });
    expect(rerun.exitCode, rerun.stderr + rerun.stdout).toBe(0);
    expect(rerun.reports[0].moves.done).toBe(0);
    expect(rerun.reports[0].aws?.uploads).toBe(0);
  }, 60_000);
});
