// The guards (DESIGN.md "Guards"), through the real CLI and both aws CLIs: an unplugged drive whose mount point
// stays behind, another drive at the same path, the deletion cap, a deleted DB with the files still there.
// Each refusal leaves the bucket's keys and bytes, and the volume's DB, exactly as they were.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DB_FILE_NAME } from "../../src/engine/db";
import { AWS_CLIS, awsCliArgs } from "../support/cli";
import { disposeBundledCli, runBundled as runCli } from "../support/fast-cli";
import { useS3Fixture } from "../support/fixture";
import { dbPaths } from "../support/library";
import type { LocalS3 } from "../support/local-s3";
import { LoopDrive } from "../support/mounts";
import { bucketContents, bytesFor, sha } from "../support/volume";

const { local, s3, volume, freshBucket } = useS3Fixture("guard");
const drives: LoopDrive[] = [];
const mountDirs: string[] = [];

afterEach(async () => {
  while (drives.length) await drives.pop()!.dispose();
  while (mountDirs.length) rmSync(mountDirs.pop()!, { recursive: true, force: true });
});
afterAll(async () => {
  await disposeBundledCli();
});

/** S3 operations that change a bucket. */
const WRITES = [
  "PutObject",
  "CopyObject",
  "DeleteObject",
  "DeleteObjects",
  "UploadPart",
  "UploadPartCopy",
  "CreateMultipartUpload",
];

async function writesSince(server: LocalS3): Promise<string[]> {
  const { ops } = await server.stats();
  return WRITES.filter((op) => (ops[op]?.count ?? 0) > 0);
}

function writeFiles(root: string, count: number, seed = "x"): Record<string, string> {
  const expected: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const rel = `Music/track ${String(i).padStart(2, "0")}.mp3`;
    const data = bytesFor(`${seed}-${rel}`, 2000 + i);
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), data);
    expected[rel] = sha(data);
  }
  return expected;
}

function mountPoint(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "s3ss-Volumes-Vault-"));
  mountDirs.push(dir);
  return dir;
}

const today = () => new Date().toISOString().slice(0, 10);

describe.each(AWS_CLIS)("guards with $name", ({ path: awsPath }) => {
  const sync = (root: string, bucket: string, extra: string[] = []) =>
    runCli(["sync", root, bucket, "--json", "--no-progress", ...awsCliArgs(local, awsPath), ...extra], { local });

  it("an unplugged drive's empty mount point is refused before any write; the drive plugged back in syncs", async () => {
    const bucket = await freshBucket();
    const at = mountPoint();
    const drive = await LoopDrive.create();
    drives.push(drive);
    await drive.mount(at);
    const files = writeFiles(at, 12);
    const first = await sync(at, bucket);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(await bucketContents(s3.client, bucket)).toEqual(files);

    await drive.unmount();
    expect(readdirSync(at)).toEqual([]);
    await local.resetStats();
    const refused = await sync(at, bucket);
    expect(refused.exitCode).toBe(3);
    const report = refused.reports[0];
    expect(report.status).toBe("failed");
    expect(report.error?.code).toBe("VOLUME_REFUSED");
    expect(report.error?.message).toBe(
      `${at} is an empty folder, not the drive synced on ${today()} — is the drive connected?`,
    );
    expect(report.error?.hint).toContain("--accept-volume");
    expect(await writesSince(local)).toEqual([]);
    expect(await bucketContents(s3.client, bucket)).toEqual(files);
    expect(readdirSync(at)).toEqual([]);

    await drive.mount(at);
    await local.resetStats();
    const back = await sync(at, bucket);
    expect(back.exitCode, back.stdout).toBe(0);
    expect((await local.stats()).uploadedBytes).toBe(0);
    expect(await bucketContents(s3.client, bucket)).toEqual(files);
  });

  it("another drive mounted at the same path is refused by its UUID; accepted, the deletion cap still asks", async () => {
    const bucket = await freshBucket();
    const at = mountPoint();
    const [vault, stranger] = [await LoopDrive.create(), await LoopDrive.create()];
    drives.push(vault, stranger);
    await vault.mount(at);
    const files = writeFiles(at, 30, "vault");
    expect((await sync(at, bucket)).exitCode).toBe(0);
    await vault.unmount();

    await stranger.mount(at);
    const strangerFiles = writeFiles(at, 3, "stranger");
    await local.resetStats();
    const refused = await sync(at, bucket);
    expect(refused.exitCode).toBe(3);
    expect(refused.reports[0].error?.code).toBe("VOLUME_REFUSED");
    expect(refused.reports[0].error?.message).toBe(
      `${at} is another volume (UUID ${await stranger.uuid()}) than the one synced on ${today()} (UUID ${await vault.uuid()}).`,
    );
    expect(await writesSince(local)).toEqual([]);
    expect(readdirSync(at).sort()).toEqual(["Music"]);

    // Accepting the volume is not accepting that 27 of the bucket's 30 objects go.
    const capped = await sync(at, bucket, ["--accept-volume"]);
    expect(capped.exitCode).toBe(3);
    expect(capped.reports[0].error?.code).toBe("DELETES_REFUSED");
    expect(capped.reports[0].deletes).toEqual({ count: 27, objects: 30, limit: 15, source: "listing" });
    expect(await writesSince(local)).toEqual([]);
    expect(await bucketContents(s3.client, bucket)).toEqual(files);

    const confirmed = await sync(at, bucket, ["--accept-volume", "--allow-deletes"]);
    expect(confirmed.exitCode, confirmed.stdout).toBe(0);
    expect(await bucketContents(s3.client, bucket)).toEqual(strangerFiles);
    // Now this drive is the recorded one: the next run goes through without confirmations.
    expect((await sync(at, bucket)).exitCode).toBe(0);
  });
});

describe("the deletion cap", () => {
  const sync = (root: string, bucket: string, extra: string[] = []) =>
    runCli(["sync", root, bucket, "--json", "--no-progress", ...awsCliArgs(local, AWS_CLIS[1].path), ...extra], {
      local,
    });

  it("refuses a sync deleting more than half of 40 objects, shows the count in a dry run, and runs when allowed", async () => {
    const bucket = await freshBucket();
    const v = volume();
    const files = writeFiles(v.root, 40);
    expect((await sync(v.root, bucket)).exitCode).toBe(0);
    const rows = await dbPaths(v.root);
    for (const rel of Object.keys(files).slice(0, 30)) v.remove(rel);

    await local.resetStats();
    const refused = await sync(v.root, bucket);
    expect(refused.exitCode).toBe(3);
    expect(refused.reports[0].error?.message).toBe(
      `This sync would delete 30 objects (75% of 40) under s3://${bucket}/, more than the cap of 20.`,
    );
    expect(refused.reports[0].deletes).toEqual({ count: 30, objects: 40, limit: 20, source: "state-db" });
    expect(await writesSince(local)).toEqual([]);
    expect(await bucketContents(s3.client, bucket)).toEqual(files);
    expect(await dbPaths(v.root)).toEqual(rows);

    const dry = await runCli(
      ["sync", v.root, bucket, "--dry-run", "--no-progress", ...awsCliArgs(local, AWS_CLIS[1].path)],
      { local },
    );
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain("would delete 30 objects of 40 (cap 20)");
    expect(dry.stdout).toContain("A sync would be refused: This sync would delete 30 objects");

    const allowed = await sync(v.root, bucket, ["--allow-deletes"]);
    expect(allowed.exitCode, allowed.stdout).toBe(0);
    expect(allowed.reports[0].aws?.deletes).toBe(30);
    expect(Object.keys(await bucketContents(s3.client, bucket))).toHaveLength(10);
  });

  it("takes max_deletes and max_delete_share from the config, per target and as defaults; a batch goes on past a refusal", async () => {
    const [strictBucket, looseBucket] = [await freshBucket(), await freshBucket()];
    const [strict, loose] = [volume(), volume()];
    writeFiles(strict.root, 10);
    writeFiles(loose.root, 10);
    const config = path.join(strict.root, "..", `${path.basename(strict.root)}.conf`);
    writeFileSync(
      config,
      [
        "defaults | max_deletes=3",
        `${strict.root} | ${strictBucket} | | | name=Strict`,
        `${loose.root} | ${looseBucket} | | | name=Loose, max_deletes=100, max_delete_share=100%`,
      ].join("\n") + "\n",
    );
    const batch = (extra: string[] = []) =>
      runCli(["batch", "-c", config, "--json", "--no-progress", ...awsCliArgs(local, AWS_CLIS[1].path), ...extra], {
        local,
      });
    expect((await batch()).exitCode).toBe(0);
    for (const v of [strict, loose]) for (let i = 0; i < 5; i++) v.remove(`Music/track 0${i}.mp3`);

    const run = await batch();
    expect(run.exitCode).toBe(3);
    const [strictReport, looseReport] = run.reports;
    expect(strictReport.error?.code).toBe("DELETES_REFUSED");
    expect(strictReport.deletes).toEqual({ count: 5, objects: 10, limit: 3, source: "state-db" });
    expect(looseReport.status).toBe("ok");
    expect(Object.keys(await bucketContents(s3.client, strictBucket))).toHaveLength(10);
    expect(Object.keys(await bucketContents(s3.client, looseBucket))).toHaveLength(5);

    const confirmed = await batch(["-t", "Strict", "--allow-deletes"]);
    expect(confirmed.exitCode).toBe(0);
    expect(Object.keys(await bucketContents(s3.client, strictBucket))).toHaveLength(5);
  });
});

describe("a deleted state DB", () => {
  const sync = (root: string, bucket: string, extra: string[] = []) =>
    runCli(["sync", root, bucket, "--json", "--no-progress", ...awsCliArgs(local, AWS_CLIS[0].path), ...extra], {
      local,
    });

  it("with the files still there is a legitimate first run: no refusal, the bucket ends matching the volume", async () => {
    const bucket = await freshBucket();
    const v = volume();
    writeFiles(v.root, 30);
    expect((await sync(v.root, bucket)).exitCode).toBe(0);
    v.rename("Music/track 00.mp3", "Music/renamed 00.mp3");
    v.remove("Music/track 01.mp3");
    v.remove(DB_FILE_NAME);

    const run = await sync(v.root, bucket);
    expect(run.exitCode, run.stdout).toBe(0);
    expect(run.reports[0].notices.join("\n")).toContain("The volume's state DB is gone");
    expect(run.reports[0].deletes).toEqual({ count: 2, objects: 30, limit: 15, source: "listing" });
    const expected = Object.fromEntries(
      readdirSync(v.abs("Music")).map((name) => [`Music/${name}`, sha(v.read(`Music/${name}`))]),
    );
    expect(await bucketContents(s3.client, bucket)).toEqual(expected);
    expect((await dbPaths(v.root)).length).toBe(29);
  });

  it("with the folder emptied is refused: an empty root over a full prefix", async () => {
    const bucket = await freshBucket();
    const v = volume();
    const files = writeFiles(v.root, 5);
    expect((await sync(v.root, bucket)).exitCode).toBe(0);
    v.remove("Music");
    v.remove(DB_FILE_NAME);
    await local.resetStats();
    const refused = await sync(v.root, bucket);
    expect(refused.exitCode).toBe(3);
    expect(refused.reports[0].error?.message).toBe(
      `${v.root} is an empty folder while s3://${bucket}/ holds objects — is the drive connected?`,
    );
    expect(await writesSince(local)).toEqual([]);
    expect(await bucketContents(s3.client, bucket)).toEqual(files);
  });
});
