// Bad input through the real CLI: each case asserts the message, the exit code, and that nothing that
// should stay was changed (bucket, volume, DB file).
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import initSqlJs from "sql.js";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { DB_FILE_NAME } from "../../src/engine/db";
import { awsCliArgs, awsOnPath } from "../support/cli";
import { startCli } from "../support/crash";
import { bundledCli, disposeBundledCli, runBundled as runCli } from "../support/fast-cli";
import { dbPaths } from "../support/library";
import { useS3Fixture } from "../support/fixture";
import { bucketContents, sha, Volume } from "../support/volume";

const AWS = awsOnPath();
const { local, s3, volume, freshBucket } = useS3Fixture("bad");

afterAll(async () => {
  await disposeBundledCli();
});

const fileHash = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
const sync = (v: Volume, bucket: string, extra: string[] = []) =>
  runCli(["sync", v.root, bucket, "--no-progress", ...awsCliArgs(local, AWS), ...extra], { local });

describe("config", () => {
  it("reports every malformed line as file:line: what is wrong, exit 78, and syncs nothing", async () => {
    const v = volume();
    v.file("a.txt", 10);
    const config = v.abs("../" + path.basename(v.root) + "-bad.conf");
    writeFileSync(
      config,
      [
        "# comment",
        `${v.root} | Bad_Bucket`,
        "relative/path | good-bucket",
        `${v.root} | good-bucket | | | colour=red`,
        `${v.root}`,
      ].join("\n") + "\n",
    );
    await local.resetStats();
    const run = await runCli(["batch", "-c", config, "--endpoint-url", local.endpoint], { local });
    expect(run.exitCode).toBe(78);
    expect(run.stderr).toContain(`${config}:2: bad bucket name "Bad_Bucket"`);
    expect(run.stderr).toContain(`${config}:3: local path "relative/path" is relative: it must start with / or ~/`);
    expect(run.stderr).toContain(`${config}:4: unknown option "colour"`);
    expect(run.stderr).toContain(`${config}:5: missing bucket`);
    expect(run.stderr).toContain("Fix the lines above in the config file and run again.");
    expect((await local.stats()).requests).toBe(0);
    expect(existsSync(v.abs(DB_FILE_NAME))).toBe(false);
  });

  it("refuses a duplicate target and a config that is not UTF-8", async () => {
    const v = volume();
    const dup = v.abs("../" + path.basename(v.root) + "-dup.conf");
    writeFileSync(dup, `${v.root} | good-bucket\n${v.root}/ | other-bucket\n`);
    const one = await runCli(["batch", "-c", dup], { local });
    expect(one.exitCode).toBe(78);
    expect(one.stderr).toContain(`${dup}:2: local path already used by line 1`);

    const latin = v.abs("../" + path.basename(v.root) + "-latin1.conf");
    writeFileSync(latin, Buffer.concat([Buffer.from(`${v.root} | b`), Buffer.from([0xe9]), Buffer.from("-bucket\n")]));
    const two = await runCli(["batch", "-c", latin], { local });
    expect(two.exitCode).toBe(78);
    expect(two.stderr).toContain(`${latin}:1: not valid UTF-8: save the file as UTF-8`);
    expect(existsSync(v.abs(DB_FILE_NAME))).toBe(false);
  });
});

describe("volumes", () => {
  it("a missing volume is skipped (exit 2) and the other targets still run", async () => {
    const v = volume();
    v.file("song.mp3", 2000);
    const bucket = await freshBucket();
    const config = v.abs("../" + path.basename(v.root) + ".conf");
    writeFileSync(
      config,
      `/nonexistent/Volumes/Gone | other-bucket\n${v.root} | ${bucket} | | | endpoint=${local.endpoint}, aws_cli=${AWS}\n`,
    );
    const run = await runCli(["batch", "-c", config, "--json"], { local });
    expect(run.exitCode, run.stderr).toBe(2);
    expect(run.reports.map((r) => r.status)).toEqual(["skipped", "ok"]);
    expect(run.reports[0].error?.message).toBe("/nonexistent/Volumes/Gone is not mounted or does not exist.");
    expect(run.reports[0].error?.hint).toMatch(/Connect the volume/);
    expect(await bucketContents(s3.client, bucket)).toEqual({ "song.mp3": sha(v.read("song.mp3")) });
  });

  it("odd file names sync to their exact keys; invalid UTF-8 names are skipped with a warning (exit 2)", async () => {
    const v = volume();
    const bucket = await freshBucket();
    const names = [
      "line\nbreak.txt",
      "tab\tand\x01ctrl.txt",
      "100% + #1 ?.mp3",
      "sp ace/a+b=c&d.txt",
      `${"é".repeat(127)}x`, // 255 bytes
    ];
    for (const name of names) v.file(name, 100, name);
    writeFileSync(Buffer.from(path.join(v.root, "bad-\xff-name.txt"), "latin1"), "not utf-8");
    const run = await sync(v, bucket, ["--json"]);
    expect(run.exitCode, readFileSync(run.reports[0].logFile!, "utf8")).toBe(2);
    expect(run.reports[0].notices.join("\n")).toMatch(/Skipped bad-.*name\.txt/);
    const expected = Object.fromEntries(names.map((n) => [n, sha(v.read(n))]));
    expect(await bucketContents(s3.client, bucket)).toEqual(expected);
    // Renamed, they move server-side.
    v.rename("100% + #1 ?.mp3", "sorted/100% + #2 ?.mp3");
    await local.resetStats();
    const again = await sync(v, bucket, ["--json"]);
    expect(again.reports[0].moves.done).toBe(1);
    expect((await local.stats()).uploadedBytes).toBe(0);
  }, 60_000);

  it("a symlink loop is cut with a warning; the rest syncs", async () => {
    const v = volume();
    const bucket = await freshBucket();
    v.file("music/a.mp3", 500);
    symlinkSync(v.root + "/music", v.abs("music/loop"));
    const run = await sync(v, bucket, ["--json"]);
    expect([0, 2]).toContain(run.exitCode);
    expect(run.reports[0].notices.join("\n")).toMatch(/music\/loop.*loop/);
    expect(Object.keys(await bucketContents(s3.client, bucket))).toEqual(["music/a.mp3"]);
  }, 60_000);
});

describe("state DB", () => {
  it("a DB of a newer schema is refused with a message and left untouched", async () => {
    const v = volume();
    v.file("a.txt", 10);
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.run("CREATE TABLE files(path TEXT PRIMARY KEY, inode INTEGER, size INTEGER, mtime REAL, synced INTEGER)");
    db.run("PRAGMA user_version = 99");
    writeFileSync(v.abs(DB_FILE_NAME), db.export());
    const before = fileHash(v.abs(DB_FILE_NAME));
    const bucket = await freshBucket();
    await local.resetStats();
    const run = await runCli(["moves", v.root, bucket, "--endpoint-url", local.endpoint], { local });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain("has schema version 99; this version of S3 Smart Sync knows up to");
    expect(run.stdout).toContain("Update S3 Smart Sync");
    expect(fileHash(v.abs(DB_FILE_NAME))).toBe(before);
    expect((await local.stats()).ops.CopyObject).toBeUndefined();
  });

  it("a DB that is not SQLite is moved aside and the run continues as a first run", async () => {
    const v = volume();
    v.file("a.txt", 10);
    writeFileSync(v.abs(DB_FILE_NAME), "this is not a database, it is a shopping list\n".repeat(10));
    const bucket = await freshBucket();
    const run = await sync(v, bucket, ["--json"]);
    expect(run.exitCode, run.stderr + run.stdout).toBe(0);
    expect(run.reports[0].notices.join("\n")).toMatch(
      /it is not an SQLite database.*moved aside to .*corrupt-.*first run/,
    );
    expect(readdirSync(v.root).filter((f) => f.includes(".corrupt-"))).toHaveLength(1);
    expect(await dbPaths(v.root)).toEqual(["a.txt"]);
    expect(Object.keys(await bucketContents(s3.client, bucket))).toEqual(["a.txt"]);
  }, 60_000);
});

describe("environment", () => {
  // A test that fails while the server hangs must not leave the next ones hanging too.
  afterEach(() => local.clearFaults());

  it("a second run on a locked volume fails fast naming the holder (exit 75)", async () => {
    const v = volume();
    v.file("a.txt", 10);
    const bucket = await freshBucket();
    await local.setFaults({ hang: true });
    const holder = startCli(await bundledCli(), ["moves", v.root, bucket, "--endpoint-url", local.endpoint], local);
    try {
      // The holder owns the lock once the lock file names it; only then can the second run be refused.
      const lockPath = v.abs(".s3-smart-sync.lock");
      const holds = () => existsSync(lockPath) && readFileSync(lockPath, "utf8").includes(`"pid":${holder.pid}`);
      const deadline = Date.now() + 40_000;
      while (!holds() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(holds(), "the first run never took the volume's lock").toBe(true);
      const started = Date.now();
      const second = await runCli(["moves", v.root, bucket, "--endpoint-url", local.endpoint], { local });
      expect(second.exitCode).toBe(75);
      expect(second.stdout + second.stderr).toContain(`Another sync is running on this volume: pid ${holder.pid}`);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      process.kill(holder.pid, "SIGKILL");
      await holder.done;
    }
  }, 90_000);

  it("a dry run beside a running sync takes no lock, writes nothing to the volume and says a sync runs", async () => {
    const v = volume();
    v.file("a.txt", 10);
    const bucket = await freshBucket();
    // A live process holding the volume's lock, as a sync in its aws step would.
    const sleeper = spawn("sleep", ["60"], { stdio: "ignore" });
    try {
      const lock = JSON.stringify({
        pid: sleeper.pid,
        host: os.hostname(),
        command: "batch",
        startedAt: new Date().toISOString(),
      });
      writeFileSync(v.abs(".s3-smart-sync.lock"), lock + "\n");
      const before = readdirSync(v.root).sort();
      const dry = await runCli(["moves", v.root, bucket, "--dry-run", "--json", "--endpoint-url", local.endpoint], {
        local,
      });
      expect(dry.exitCode).toBe(0);
      expect(dry.reports[0].notices.join("\n")).toContain(
        `A sync is running on this volume (batch, pid ${sleeper.pid}`,
      );
      expect(readdirSync(v.root).sort()).toEqual(before);
      expect(readFileSync(v.abs(".s3-smart-sync.lock"), "utf8")).toBe(lock + "\n");
    } finally {
      sleeper.kill("SIGKILL");
    }
  });

  it("missing credentials: a clear message, exit 1, nothing sent", async () => {
    const v = volume();
    v.file("a.txt", 10);
    await local.resetStats();
    const run = await runCli(["moves", v.root, "any-bucket", "--endpoint-url", local.endpoint], {
      env: { PATH: process.env.PATH, HOME: v.root, AWS_EC2_METADATA_DISABLED: "true" },
    });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain("AWS credentials were not accepted");
    expect(run.stdout).toContain("aws configure");
    expect((await local.stats()).requests).toBe(0);
  });

  it("a missing bucket: named in the message, exit 1, DB not created", async () => {
    const v = volume();
    v.file("a.txt", 10);
    const run = await runCli(["sync", v.root, "no-such-bucket", "--json", ...awsCliArgs(local, AWS)], { local });
    expect(run.exitCode).toBe(1);
    expect(run.reports[0].error?.code).toBe("BUCKET_MISSING");
    expect(run.reports[0].error?.message).toContain("no-such-bucket");
    expect(existsSync(v.abs(DB_FILE_NAME))).toBe(false);
  });

  it("an aws CLI that does not exist: named in the message, exit 1, the bucket untouched", async () => {
    const v = volume();
    v.file("a.txt", 10);
    const bucket = await freshBucket();
    const run = await runCli(
      ["sync", v.root, bucket, "--endpoint-url", local.endpoint, "--aws-cli", "/nonexistent/aws"],
      { local },
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain("The aws CLI set for this tool was not found: /nonexistent/aws");
    expect(await bucketContents(s3.client, bucket)).toEqual({});
  });

  it("the server going away mid-run: stops with a network message; a rerun finishes", async () => {
    const v = volume();
    const bucket = await freshBucket();
    for (let i = 0; i < 30; i++) v.file(`in/${i}.bin`, 300 + i);
    expect((await sync(v, bucket)).exitCode).toBe(0);
    v.rename("in", "out");
    await local.setFaults({ failAfterRequests: 10, failMode: "drop" });
    let run;
    try {
      run = await runCli(["moves", v.root, bucket, "--json", "--endpoint-url", local.endpoint], { local });
    } finally {
      await local.clearFaults();
    }
    expect(run.exitCode).toBe(1);
    expect(run.reports[0].error?.code).toBe("NETWORK");
    const present = new Set(Object.values(await bucketContents(s3.client, bucket)));
    for (let i = 0; i < 30; i++) expect(present.has(sha(v.read(`out/${i}.bin`)))).toBe(true);
    const rerun = await sync(v, bucket, ["--json"]);
    expect(rerun.exitCode, rerun.stdout).toBe(0);
    expect(Object.keys(await bucketContents(s3.client, bucket)).every((k) => k.startsWith("out/"))).toBe(true);
  }, 90_000);
});
