// The terminal front end as a user meets it: help, options in any position, init, dry runs that change
// nothing, status, logs, batch over several targets.
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsOnPath, runCli } from "../support/cli";
import { s3ClientConfig, useLocalS3 } from "../support/local-s3";
import { bucketContents, expectedContents, Volume } from "../support/volume";

const local = useLocalS3();
let client: S3Client;
let buckets = 0;
const volumes: Volume[] = [];
beforeAll(() => {
  client = new S3Client(s3ClientConfig(local));
});
// At the end of the file, not of each test: the tests of the concurrent group below run at once.
afterAll(() => {
  while (volumes.length) volumes.pop()!.dispose();
});
const volume = () => {
  const v = new Volume("cli");
  volumes.push(v);
  return v;
};
const bucket = async () => {
  const name = `cli-${++buckets}`;
  await local.createBucket(name);
  return name;
};

// The tests that count the server's requests (resetStats, stats) run alone, first; the others share the
// server without counting and run at once, beside the folder rename of 1,200 files.
describe("s3-smart-sync CLI", () => {
  it("takes global options after the command name, and a dry run changes nothing", async () => {
    const b = await bucket();
    const v = volume();
    v.file("a/one.bin", 5000);
    v.file("a/two.bin", 6000);
    const args = ["--endpoint-url", local.endpoint, "--aws-cli", awsOnPath()];
    expect((await runCli(["sync", v.root, b, "--json", ...args], { local })).exitCode).toBe(0);
    v.rename("a", "b");
    v.file("new.txt", 10);
    const dbBefore = readFileSync(v.abs(".s3-smart-sync.db"));
    const before = await bucketContents(client, b);
    const logsBefore = readdirSync(v.abs("logs"));
    await local.resetStats();

    const dry = await runCli(["sync", v.root, b, "-n", ...args], { local });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain("would move a/one.bin → b/one.bin (5.0 KB, inode)");
    expect(dry.stdout).toContain("would move a/two.bin → b/two.bin (6.0 KB, inode)");
    expect(dry.stdout).toContain("aws: would upload new.txt");
    expect(dry.stdout).not.toContain("would upload b/one.bin");
    expect(readFileSync(v.abs(".s3-smart-sync.db")).equals(dbBefore)).toBe(true);
    expect(await bucketContents(client, b)).toEqual(before);
    const stats = await local.stats();
    expect(stats.ops.CopyObject).toBeUndefined();
    expect(stats.ops.DeleteObject).toBeUndefined();
    expect(stats.ops.DeleteObjects).toBeUndefined();
    expect(stats.uploadedBytes).toBe(0);
    expect(readdirSync(v.abs("logs"))).toEqual(logsBefore);
    expect(existsSync(v.abs(".s3-smart-sync.lock"))).toBe(false);
  });

  it("status shows pending moves and new files without touching S3, and runs write logs", async () => {
    const b = await bucket();
    const v = volume();
    v.file("x/song.flac", 20_000);
    const args = ["--endpoint-url", local.endpoint, "--aws-cli", awsOnPath()];
    const synced = await runCli(["sync", v.root, b, "-p", "music", ...args, "--json"], { local });
    expect(synced.exitCode).toBe(0);
    v.rename("x/song.flac", "y/song.flac");
    v.file("fresh.txt", 3);
    await local.resetStats();
    const status = await runCli(["status", v.root]);
    expect(status.exitCode).toBe(0);
    expect(status.stdout).toContain(`(s3://${b}/music/)`);
    expect(status.stdout).toContain("Pending: 1 move (saves 20.0 KB of upload), 1 new, 0 modified, 0 deleted");
    expect(status.stdout).toContain("x/song.flac → y/song.flac");
    expect((await local.stats()).requests).toBe(0);
    const json = JSON.parse((await runCli(["status", v.root, "--json"])).stdout);
    expect(json.moved).toEqual([{ from: "x/song.flac", to: "y/song.flac", size: 20_000 }]);
    expect(json.new).toEqual(["fresh.txt"]);

    const run = await runCli(["sync", v.root, b, "-p", "music", ...args, "--json"], { local });
    expect(run.exitCode).toBe(0);
    const log = readFileSync(run.reports[0].logFile!, "utf8");
    expect(path.basename(run.reports[0].logFile!)).toMatch(/^s3-sync-sync-\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d\.log$/);
    expect(log).toContain("move done: music/x/song.flac → music/y/song.flac");
    expect(log).toMatch(/aws: .*fresh\.txt/);
    expect(Object.keys(await bucketContents(client, b)).sort()).toEqual(["music/fresh.txt", "music/y/song.flac"]);
  });

  // The rest of the file runs concurrently.
  it.concurrent("prints every move of a folder rename of 1,200 files through a pipe, as JSON and as text", async () => {
    const b = await bucket();
    const v = volume();
    const names = Array.from({ length: 1_200 }, (_, i) => `track ${i} "é".mp3`);
    // The bucket as a sync left it, filled directly (1,200 uploads by aws would take most of a minute).
    for (let i = 0; i < names.length; i += 100)
      await Promise.all(
        names.slice(i, i + 100).map(async (name) => {
          const body = v.file(`album/${name}`, 10 + (name.length % 40));
          await client.send(new PutObjectCommand({ Bucket: b, Key: `album/${name}`, Body: body }));
        }),
      );
    const args = ["--endpoint-url", local.endpoint, "--aws-cli", awsOnPath()];
    const first = await runCli(["moves", v.root, b, "--json", ...args], { local });
    expect(first.exitCode, first.stderr).toBe(0);

    v.rename("album", "renamed album");
    const json = await runCli(["moves", v.root, b, "--json", ...args], { local });
    expect(json.exitCode, json.stderr).toBe(0);
    // 1,200 requests on one run: no warning of Node's (an abort listener per request in flight) reaches the user.
    expect(json.stderr).not.toContain("Warning");
    expect(json.reports).toHaveLength(1);
    const [r] = json.reports;
    expect(r.moves.done).toBe(1_200);
    expect(r.moves.list.map((m) => `${m.status} ${m.fromKey} → ${m.toKey}`).sort()).toEqual(
      names.map((n) => `done album/${n} → renamed album/${n}`).sort(),
    );
    const expected = expectedContents(
      v,
      names.map((n) => `renamed album/${n}`),
    );
    expect(await bucketContents(client, b)).toEqual(expected);

    v.rename("renamed album", "album 2");
    const text = await runCli(["moves", v.root, b, ...args], { local });
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stderr).not.toContain("Warning");
    const moved = text.stdout.split("\n").filter((line) => line.startsWith("  moved renamed album/"));
    expect(moved.sort()).toEqual(
      names.map((n) => `  moved renamed album/${n} → album 2/${n} (${10 + (n.length % 40)} B, inode)`).sort(),
    );
    expect(text.stdout).toMatch(/\n {2}1200 moves \(/);
    expect(Object.keys(await bucketContents(client, b)).every((k) => k.startsWith("album 2/"))).toBe(true);
  });

  it.concurrent("has --help on every command", async () => {
    const commands = ["", "init", "batch", "sync", "moves", "status", "restore", "restore-status"];
    const results = await Promise.all(commands.map((command) => runCli([...(command ? [command] : []), "--help"])));
    commands.forEach((command, i) => {
      expect(results[i].exitCode, command).toBe(0);
      expect(results[i].stdout, command).toContain("Usage: s3-smart-sync");
      expect(results[i].stdout, command).toContain("--json");
    });
    const usage = await runCli(["sync"]);
    expect(usage.exitCode).toBe(64);
    expect(usage.stderr).toContain("missing required argument");
  });

  it.concurrent("init writes a sample config that parses, and refuses to overwrite it", async () => {
    const v = volume();
    const config = v.abs("conf/smart.conf");
    const first = await runCli(["init", "-c", config]);
    expect(first.exitCode).toBe(0);
    const text = readFileSync(config, "utf8");
    expect(text).toContain("#   local_path | bucket | prefix | excludes | options");
    writeFileSync(config, text + "\n# mine\n");
    const again = await runCli(["init", "-c", config]);
    expect(again.exitCode).toBe(78);
    expect(again.stderr).toContain("already exists");
    expect(readFileSync(config, "utf8")).toBe(text + "\n# mine\n");
  });

  it.concurrent(
    "status --json of a volume never synced lists each of its 1,200 files as new, through a pipe",
    async () => {
      const v = volume();
      const names = Array.from({ length: 1_200 }, (_, i) => `new "files"/${i} é.txt`);
      for (const name of names) v.file(name, 3);
      const status = await runCli(["status", v.root, "--json"]);
      expect(status.exitCode, status.stderr).toBe(0);
      const lines = status.stdout.trim().split("\n");
      expect(lines).toHaveLength(1);
      const json = JSON.parse(lines[0]) as { new: string[]; moved: unknown[]; unchanged: number };
      expect(json.new.sort()).toEqual([...names].sort());
      expect(json.moved).toEqual([]);
    },
  );

  it.concurrent("batch syncs every mounted target and says which one it skipped (exit 2)", async () => {
    const [b1, b2] = [await bucket(), await bucket()];
    const v = volume();
    v.file("track.mp3", 1000);
    const config = v.abs("../" + path.basename(v.root) + ".conf");
    writeFileSync(
      config,
      [
        "# local_path | bucket | prefix | excludes | options",
        `/nonexistent/Volumes/Gone/. | ${b1} | | .* | endpoint=${local.endpoint}`,
        `${v.root}/. | ${b2} | p | .*, */.* | endpoint=${local.endpoint}, aws_cli=${awsOnPath()}`,
      ].join("\n") + "\n",
    );
    const r = await runCli(["batch", "-c", config, "--json"], { local });
    expect(r.exitCode).toBe(2);
    expect(r.reports.map((x) => [x.target, x.status])).toEqual([
      ["Gone", "skipped"],
      [path.basename(v.root), "ok"],
    ]);
    expect(r.reports[0].error?.message).toBe("/nonexistent/Volumes/Gone is not mounted or does not exist.");
    expect(Object.keys(await bucketContents(client, b2))).toEqual(["p/track.mp3"]);
    const text = await runCli(["batch", "-c", config], { local });
    expect(text.stdout).toContain("Skipped: /nonexistent/Volumes/Gone is not mounted or does not exist.");
    expect(text.stdout).toContain("Connect the volume");
  });
});
