// Moves that do not happen (DESIGN.md "Move rules"), through the real CLI, both aws CLIs and the local S3
// server: whatever stops a move of a swap, chain or cycle (the user skipped half of it, its source changed
// after the plan and the copy got 412), every key ends holding the volume's bytes, aws uploads exactly the
// files whose moves were not made, the DB records each file with its own object's ETag, and a temporary key
// is never left behind. Also: a file replaced by an older one of the same size, one move of a swap applied
// from Preview, a left-over temporary key, the Content-Type after a move to another file type, and old keys
// deleted in DeleteObjects batches.
import { HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { skipMove } from "../../src/engine";
import { JOURNAL_FILE } from "../../src/engine/journal";
import { runTarget } from "../../src/engine/run";
import { AWS_CLIS, awsCliArgs } from "../support/cli";
import { disposeBundledCli, runBundled as runCli } from "../support/fast-cli";
import { useS3Fixture } from "../support/fixture";
import { useServerKeysInProcess } from "../support/local-s3";
import { dbRecords, hashes, listFiles, uploadAll } from "../support/library";
import { expectRowsTrue, firstCopySource } from "../support/move-checks";
import { bucketContents, bytesFor, type Volume } from "../support/volume";

const { local, s3, volume, freshBucket } = useS3Fixture("unmade");
const TEMP = ".s3-smart-sync-tmp/";

beforeAll(() => {
  // The in-process runs (Preview's path, baselines) use the SDK's default credential chain.
  useServerKeysInProcess();
});
afterAll(async () => {
  await disposeBundledCli();
});

async function head(bucket: string, key: string) {
  return s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

describe.each(AWS_CLIS)("moves that do not happen, with $name", ({ path: awsPath }) => {
  const sync = (v: Volume, bucket: string) =>
    runCli(["sync", v.root, bucket, "--json", "--no-progress", ...awsCliArgs(local, awsPath)], { local });

  async function synced(files: Record<string, [number, string]>) {
    const bucket = await freshBucket();
    const v = volume();
    for (const [rel, [size, seed]] of Object.entries(files)) v.file(rel, size, seed);
    const first = await sync(v, bucket);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    return { bucket, v };
  }

  function swap(v: Volume, a: string, b: string) {
    v.rename(a, `${a}.tmp`);
    v.rename(b, a);
    v.rename(`${a}.tmp`, b);
  }

  it("a swap with one half skipped in Preview: neither half is moved, aws uploads both files", async () => {
    const { bucket, v } = await synced({
      "swap/x.dat": [4096, "x"],
      "swap/y.dat": [4096, "y"],
      "keep.txt": [300, "k"],
    });
    const recordedX = (await dbRecords(v.root)).find((r) => r.path === "swap/x.dat")!;
    swap(v, "swap/x.dat", "swap/y.dat");
    // Skip x → y (the file of x, now at y); the other half, y → x, would overwrite x's object.
    await skipMove(v.root, { from: "swap/x.dat", to: "swap/y.dat", ...recordedX });
    await local.resetStats();

    const run = await sync(v, bucket);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const report = run.reports[0];
    expect(report.moves.done).toBe(0);
    expect(report.moves.list.map((m) => [m.from, m.to, m.status, m.reason])).toEqual(
      expect.arrayContaining([
        ["swap/x.dat", "swap/y.dat", "skipped", "skipped by you (aws uploads it)"],
        ["swap/y.dat", "swap/x.dat", "skipped", expect.stringMatching(/swap or cycle has a move that is not made/)],
      ]),
    );
    expect(report.notices.join("\n")).toMatch(
      /2 object\(s\) held other bytes .*deleted, so that aws uploads those files/,
    );
    const log = await local.requests();
    expect(log.filter((e) => e.op === "CopyObject")).toEqual([]);
    expect(log.filter((e) => e.op === "DeleteObjects").map((e) => e.keys!.sort())).toEqual([
      ["swap/x.dat", "swap/y.dat"],
    ]);
    expect(
      log
        .filter((e) => e.op === "PutObject")
        .map((e) => e.key)
        .sort(),
    ).toEqual(["swap/x.dat", "swap/y.dat"]);
    expect(report.aws?.uploads).toBe(2);
    expect(await bucketContents(s3.client, bucket)).toEqual(hashes(v, listFiles(v.root)));
    await expectRowsTrue(s3.client, v, bucket);

    await local.resetStats();
    const rerun = await sync(v, bucket);
    expect(rerun.exitCode, rerun.stdout + rerun.stderr).toBe(0);
    expect((await local.stats()).uploadedBytes).toBe(0);
  }, 180_000);

  it("a swap with both halves skipped: plain aws would keep both old objects; aws uploads both", async () => {
    const { bucket, v } = await synced({ "a.bin": [5000, "a"], "b.bin": [5000, "b"] });
    const rows = await dbRecords(v.root);
    swap(v, "a.bin", "b.bin");
    for (const [from, to] of [
      ["a.bin", "b.bin"],
      ["b.bin", "a.bin"],
    ]) {
      await skipMove(v.root, { from, to, ...rows.find((r) => r.path === from)! });
    }
    const run = await sync(v, bucket);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.reports[0].aws?.uploads).toBe(2);
    expect(await bucketContents(s3.client, bucket)).toEqual(hashes(v, listFiles(v.root)));
    await expectRowsTrue(s3.client, v, bucket);
  }, 120_000);

  it("a file replaced by an older one of the same size: the DB knows, the old object goes, aws uploads it", async () => {
    const { bucket, v } = await synced({ "take.wav": [6000, "v1"], "other.wav": [100, "o"] });
    const older = bytesFor("an older take", 6000);
    writeFileSync(v.abs("take.wav"), older);
    const past = new Date(Date.now() - 86_400_000);
    utimesSync(v.abs("take.wav"), past, past);
    await local.resetStats();
    const run = await sync(v, bucket);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.reports[0].aws?.uploads).toBe(1);
    expect((await local.requests()).filter((e) => e.op === "DeleteObjects").map((e) => e.keys)).toEqual([["take.wav"]]);
    expect(await bucketContents(s3.client, bucket)).toEqual(hashes(v, listFiles(v.root)));
    await expectRowsTrue(s3.client, v, bucket);
  }, 120_000);

  it("a 412 in the middle of a cycle: the rest of the cycle waits, its keys are re-uploaded, no temporary key stays", async () => {
    const { bucket, v } = await synced({
      "cycle/c1.dat": [3000, "c1"],
      "cycle/c2.dat": [3000, "c2"],
      "cycle/c3.dat": [3000, "c3"],
      "keep.txt": [300, "k"],
    });
    // c1 → c2, c3 → c1, c2 → c3: each key's next key in the cycle.
    v.rename("cycle/c1.dat", "cycle/tmp");
    v.rename("cycle/c3.dat", "cycle/c1.dat");
    v.rename("cycle/c2.dat", "cycle/c3.dat");
    v.rename("cycle/tmp", "cycle/c2.dat");
    const next: Record<string, string> = {
      "cycle/c1.dat": "cycle/c2.dat",
      "cycle/c3.dat": "cycle/c1.dat",
      "cycle/c2.dat": "cycle/c3.dat",
    };
    await local.resetStats();
    await local.setFaults({ operations: ["CopyObject"], latencyMs: 1500 });
    let run;
    let opened = "";
    let changed = "";
    try {
      const pending = sync(v, bucket);
      // The cycle opens by copying one key (A) aside; the next copy writes A from the key whose file went
      // there, the one after reads A's next key (B). Another writer replaces B now: that copy must fail.
      opened = await firstCopySource(local);
      changed = next[opened];
      await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: changed, Body: bytesFor("theirs", 3000) }));
      run = await pending;
    } finally {
      await local.clearFaults();
    }
    const log = await local.requests();
    const refused = log.filter((e) => e.status === 412);
    expect(refused.length, JSON.stringify(log.map((e) => [e.op, e.key, e.status]))).toBeGreaterThan(0);
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    const after = await bucketContents(s3.client, bucket);
    expect(Object.keys(after).filter((k) => k.startsWith(TEMP))).toEqual([]);
    expect(after).toEqual(hashes(v, listFiles(v.root)));
    const report = run.reports[0];
    expect(report.moves.done).toBe(1);
    expect(report.moves.failed).toBe(2);
    expect(report.moves.list.find((m) => m.status === "failed")?.reason).toMatch(/changed since it was verified/);
    expect(report.notices.join("\n")).toMatch(/deleted, so that aws uploads those files/);
    // aws uploaded the two files whose moves were not made (B: the other writer's put, then aws's), no other.
    const prev = (key: string) => Object.keys(next).find((from) => next[from] === key)!;
    expect(
      log
        .filter((e) => e.op === "PutObject")
        .map((e) => e.key)
        .sort(),
    ).toEqual([changed, changed, prev(opened)].sort());
    await expectRowsTrue(s3.client, v, bucket);

    await local.resetStats();
    const rerun = await sync(v, bucket);
    expect(rerun.exitCode, rerun.stdout + rerun.stderr).toBe(0);
    expect((await local.stats()).uploadedBytes).toBe(0);
  }, 180_000);
  it("a 412 in the middle of a chain of same-size files: the chain stops there, its stale keys are re-uploaded", async () => {
    const { bucket, v } = await synced({
      "chain/ch1.dat": [2500, "ch1"],
      "chain/ch2.dat": [2500, "ch2"],
      "chain/ch3.dat": [2500, "ch3"],
    });
    v.rename("chain/ch3.dat", "chain/ch4.dat");
    v.rename("chain/ch2.dat", "chain/ch3.dat");
    v.rename("chain/ch1.dat", "chain/ch2.dat");
    await local.resetStats();
    await local.setFaults({ operations: ["CopyObject"], latencyMs: 1500 });
    let run;
    try {
      const pending = sync(v, bucket);
      // The chain runs from its end: ch3 → ch4 first. While it waits, another writer replaces ch2.
      expect(await firstCopySource(local)).toBe("chain/ch3.dat");
      await s3.client.send(
        new PutObjectCommand({ Bucket: bucket, Key: "chain/ch2.dat", Body: bytesFor("theirs", 2500) }),
      );
      run = await pending;
    } finally {
      await local.clearFaults();
    }
    expect(run.exitCode, run.stdout + run.stderr).toBe(1);
    expect(await bucketContents(s3.client, bucket)).toEqual(hashes(v, listFiles(v.root)));
    const report = run.reports[0];
    const status = Object.fromEntries(report.moves.list.filter((m) => m.toKey).map((m) => [m.from, m.status]));
    expect(status).toEqual({ "chain/ch3.dat": "done", "chain/ch2.dat": "failed", "chain/ch1.dat": "blocked" });
    const log = await local.requests();
    // ch3 still held its old bytes (same size, newer than the file now there): without the delete aws keeps it.
    expect(
      log
        .filter((e) => e.op === "DeleteObjects")
        .flatMap((e) => e.keys!)
        .sort(),
    ).toEqual(["chain/ch2.dat", "chain/ch3.dat"]);
    expect(report.aws?.uploads).toBe(2);
    await expectRowsTrue(s3.client, v, bucket);
  }, 180_000);

  it("one move of a swap applied from Preview brings the other half; the next sync uploads nothing", async () => {
    const { bucket, v } = await synced({ "p/x.dat": [4096, "x"], "p/y.dat": [4096, "y"], "p/solo.dat": [700, "s"] });
    swap(v, "p/x.dat", "p/y.dat");
    v.rename("p/solo.dat", "p/solo moved.dat");
    const target = {
      name: "preview",
      localPath: v.root,
      bucket,
      prefix: "",
      excludes: [],
      endpointUrl: local.endpoint,
    };
    const report = await runTarget(target, {
      command: "moves",
      log: false,
      commandName: "preview",
      selectMoves: (m) => m.from === "p/x.dat" && m.to === "p/y.dat",
    });
    expect(report.status, JSON.stringify(report.error)).toBe("ok");
    expect(report.moves.list.map((m) => [m.from, m.to, m.status]).sort()).toEqual([
      ["p/x.dat", "p/y.dat", "done"],
      ["p/y.dat", "p/x.dat", "done"],
    ]);
    const contents = await bucketContents(s3.client, bucket);
    expect(contents["p/x.dat"]).toBe(hashes(v, ["p/x.dat"])["p/x.dat"]);
    expect(contents["p/y.dat"]).toBe(hashes(v, ["p/y.dat"])["p/y.dat"]);
    expect(Object.keys(contents).filter((k) => k.startsWith(TEMP))).toEqual([]);

    await local.resetStats();
    const run = await sync(v, bucket);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.reports[0].moves.done).toBe(1);
    expect((await local.stats()).uploadedBytes).toBe(0);
    expect(await bucketContents(s3.client, bucket)).toEqual(hashes(v, listFiles(v.root)));
    await expectRowsTrue(s3.client, v, bucket);
  }, 120_000);

  it("removes a temporary key an earlier run left behind, but not one a journal still owns", async () => {
    const { bucket, v } = await synced({ "a.dat": [1000, "a"], "b.dat": [1000, "b"] });
    const orphan = `${TEMP}20240101T000000-aaaaaaaa/0`;
    const owned = `${TEMP}20240102T000000-bbbbbbbb/0`;
    for (const key of [orphan, owned])
      await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytesFor(key, 1000) }));
    // A journal of another endpoint's batch (left alone by this target) owns the second key.
    const header = {
      version: 2,
      runId: "20240102T000000-bbbbbbbb",
      bucket,
      prefix: "",
      endpoint: "http://127.0.0.1:9",
      profile: null,
      createdAt: new Date().toISOString(),
      moves: 1,
      steps: 2,
      scheduler: 1,
    };
    writeFileSync(
      path.join(v.root, JOURNAL_FILE),
      `${JSON.stringify(header)}\n${JSON.stringify(["a.dat", "c.dat", 1, 1000, 1, null, null])}\n`,
    );
    await local.resetStats();
    const run = await sync(v, bucket);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.reports[0].notices.join("\n")).toMatch(/interrupted move batch .* left alone/);
    const keys = Object.keys(await bucketContents(s3.client, bucket)).sort();
    expect(keys).toEqual(["a.dat", "b.dat", owned].sort());
    expect((await local.requests()).filter((e) => e.op === "DeleteObjects").map((e) => e.keys)).toEqual([[orphan]]);
  }, 120_000);

  it("a move to another file type ends with the Content-Type aws gives a fresh upload of that name", async () => {
    const { bucket, v } = await synced({ "takes/take.wav": [5000, "take"], "takes/keep.mp3": [900, "k"] });
    const uploadedType = (await head(bucket, "takes/take.wav")).ContentType;
    v.rename("takes/take.wav", "takes/take.flac");
    v.file("takes/fresh.flac", 700);
    await local.resetStats();
    const run = await sync(v, bucket);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.reports[0].moves.done).toBe(1);
    expect(run.reports[0].aws?.uploads).toBe(1);
    const moved = await head(bucket, "takes/take.flac");
    const fresh = await head(bucket, "takes/fresh.flac");
    expect(fresh.ContentType).not.toBe(uploadedType);
    expect(moved.ContentType).toBe(fresh.ContentType);
    const copy = (await local.requests()).find((e) => e.op === "CopyObject")!;
    expect([copy.key, copy.metadataDirective]).toEqual(["takes/take.flac", "REPLACE"]);
    expect(await bucketContents(s3.client, bucket)).toEqual(hashes(v, listFiles(v.root)));
  }, 120_000);
});

describe("old keys of moves", () => {
  it("go in DeleteObjects batches of at most 1,000 keys, journaled, with no single deletes", async () => {
    const bucket = await freshBucket();
    const v = volume();
    for (let i = 0; i < 2100; i++) v.file(`Crate/${String(i).padStart(4, "0")}.mp3`, 64 + (i % 50), `t${i}`);
    await uploadAll(s3.client, bucket, v, listFiles(v.root));
    const target = { name: "batch", localPath: v.root, bucket, prefix: "", excludes: [], endpointUrl: local.endpoint };
    const baseline = await runTarget(target, { command: "moves", log: false });
    expect(baseline.status, JSON.stringify(baseline.error)).toBe("ok");
    v.rename("Crate", "Crate (sorted)");
    await local.resetStats();

    const run = await runCli(["moves", v.root, bucket, "--json", "--no-progress", "--endpoint-url", local.endpoint], {
      local,
    });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.reports[0].moves.done).toBe(2100);
    const { ops } = await local.stats();
    expect(ops.CopyObject?.count).toBe(2100);
    expect(ops.DeleteObject).toBeUndefined();
    const batches = (await local.requests()).filter((e) => e.op === "DeleteObjects");
    expect(batches.map((e) => e.keys!.length).sort((a, b) => b - a)).toEqual([1000, 1000, 100]);
    expect(new Set(batches.flatMap((e) => e.keys!)).size).toBe(2100);
    expect(await bucketContents(s3.client, bucket)).toEqual(hashes(v, listFiles(v.root)));
  }, 300_000);
});
