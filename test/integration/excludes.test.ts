// Excludes through the real CLI and both aws CLIs, where plain `aws s3 sync` gets them wrong: a volume root
// holding `[ ] * ?`, a prefix holding the characters aws can be given (`?`, `]`), and names that are not valid
// UTF-8 next to neighbours that share their prefix. What is checked is what a user would check: the bucket's
// keys and bytes, the DB's rows, and what the run says.
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { AWS_CLIS, awsCliArgs } from "../support/cli";
import { disposeBundledCli, runBundled as runCli } from "../support/fast-cli";
import { useS3Fixture } from "../support/fixture";
import { dbPaths } from "../support/library";
import { bucketContents, bytesFor, sha, Volume } from "../support/volume";

const { local, s3, volume, freshBucket } = useS3Fixture("excl");
const cleanup: (() => void)[] = [];

afterAll(async () => {
  for (const dispose of cleanup) dispose();
  await disposeBundledCli();
});

/** A volume whose root folder's name holds `label` (the fixture's volumes have plain names). */
function namedVolume(label: string): Volume {
  const v = new Volume(label);
  cleanup.push(() => v.dispose());
  return v;
}

async function putObject(bucket: string, key: string, body: Buffer): Promise<void> {
  await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

describe.each(AWS_CLIS)("excludes with $name", ({ path: awsPath }) => {
  const sync = (root: string, bucket: string, extra: string[] = []) =>
    runCli(["sync", root, bucket, "--json", "--no-progress", ...awsCliArgs(local, awsPath), ...extra], { local });

  it("a root holding [ ] * ? and a prefix holding ? ]: excludes work, the tool's files and excluded objects stay put", async () => {
    const bucket = await freshBucket();
    const v = namedVolume("Music [old] * 2024?");
    expect(v.root).toContain("Music [old] * 2024?");
    const prefix = "Mixes? 2024]";
    const kept = ["music/a.mp3", "[old]/b.mp3", "x*y?.mp3", "sub dir/c [1].mp3"];
    const excluded = [".DS_Store", "sub dir/.hidden", "song.m4p", "deep/in/other.m4p"];
    for (const rel of [...kept, ...excluded]) v.file(rel, 3000);
    // In the bucket before: an excluded object with no local file (aws must leave it), and a stale one.
    const keepObject = bytesFor("old excluded", 500);
    await putObject(bucket, `${prefix}/archive/old.m4p`, keepObject);
    await putObject(bucket, `${prefix}/stale.mp3`, bytesFor("stale", 500));
    const excludes = ["--exclude", ".*", "--exclude", "*/.*", "--exclude", "*.m4p"];

    const first = await sync(v.root, bucket, ["-p", prefix, ...excludes]);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    const expected: Record<string, string> = {
      ...Object.fromEntries(kept.map((rel) => [`${prefix}/${rel}`, sha(v.read(rel))])),
      [`${prefix}/archive/old.m4p`]: sha(keepObject),
    };
    // Neither the DB, the lock nor the log, none of the excluded files, and the stale object is gone.
    expect(await bucketContents(s3.client, bucket)).toEqual(expected);
    expect(first.reports[0].aws?.deletes).toBe(1);
    expect(await dbPaths(v.root)).toEqual([...kept].sort());

    // Nothing changed: nothing to upload or delete, and the planner agrees with aws about every file.
    await local.resetStats();
    const again = await sync(v.root, bucket, ["-p", prefix, ...excludes]);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect((await local.stats()).uploadedBytes).toBe(0);
    expect(again.reports[0].aws).toMatchObject({ uploads: 0, deletes: 0 });
    expect(again.reports[0].deletes?.count ?? 0).toBe(0);

    // A rename moves the object server-side; the excluded object is still there.
    v.rename("[old]/b.mp3", "[old]/b (renamed).mp3");
    const moved = await sync(v.root, bucket, ["-p", prefix, ...excludes]);
    expect(moved.exitCode, moved.stdout + moved.stderr).toBe(0);
    expect(moved.reports[0].moves.done).toBe(1);
    const { [`${prefix}/[old]/b.mp3`]: movedHash, ...rest } = expected;
    expect(await bucketContents(s3.client, bucket)).toEqual({
      ...rest,
      [`${prefix}/[old]/b (renamed).mp3`]: movedHash,
    });
  });

  it("names that are not UTF-8 are left out alone: neighbours that share their prefix are uploaded", async () => {
    const bucket = await freshBucket();
    const v = volume();
    const neighbours = ["cafe.mp3", "caf\u00e9.mp3", "cafeteria/x.mp3", "caf.mp3", "d\u00e9j\u00e0/x.mp3"];
    for (const rel of neighbours) v.file(rel, 2000);
    const raw = (rel: string) => Buffer.concat([Buffer.from(`${v.root}/`), Buffer.from(rel, "latin1")]);
    writeFileSync(raw("caf\xe9.mp3"), bytesFor("latin1 name", 2000));
    mkdirSync(raw("d\xe9j\xe0"));
    writeFileSync(Buffer.concat([raw("d\xe9j\xe0"), Buffer.from("/inside.mp3")]), bytesFor("inside", 2000));

    const run = await sync(v.root, bucket);
    expect(await bucketContents(s3.client, bucket)).toEqual(
      Object.fromEntries(neighbours.map((rel) => [rel, sha(v.read(rel))])),
    );
    // Something was left out: exit 2, status partial, and the run says which names and why.
    expect(run.exitCode, run.stdout + run.stderr).toBe(2);
    const report = run.reports[0];
    expect(report.status).toBe("partial");
    expect(report.aws?.outcome).toBe("ok");
    const notices = report.notices.filter((n) => n.includes("not valid UTF-8"));
    expect(notices).toEqual([expect.stringContaining("caf\uFFFD.mp3"), expect.stringContaining("d\uFFFDj\uFFFD")]);
    expect(await dbPaths(v.root)).toEqual([...neighbours].sort());

    await local.resetStats();
    const again = await sync(v.root, bucket);
    expect(again.exitCode).toBe(2);
    expect((await local.stats()).uploadedBytes).toBe(0);
  });
});

describe("prefixes aws cannot be given", () => {
  it("sync and moves refuse them as a usage error, before touching the volume", async () => {
    const v = volume();
    v.file("a.mp3", 100);
    for (const command of ["sync", "moves"]) {
      for (const prefix of ["Mixes * 2024", "Music [old]"]) {
        const run = await runCli([command, v.root, "some-bucket", "-p", prefix, "--endpoint-url", local.endpoint], {
          local,
        });
        expect(run.exitCode, run.stdout + run.stderr).toBe(64);
        expect(run.stderr).toContain("aws s3 sync reads as pattern syntax");
      }
    }
    expect(readdirSync(v.root)).toEqual(["a.mp3"]);
  });

  it("a config line with such a prefix is a config error naming its line", async () => {
    const v = volume();
    const dir = mkdtempSync(path.join(tmpdir(), "s3ss-conf-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const config = path.join(dir, "s3-smart-sync.conf");
    writeFileSync(config, `# test\n${v.root} | some-bucket | Mixes * 2024 | .*\n`);
    const run = await runCli(["batch", "-c", config, "--endpoint-url", local.endpoint], { local });
    expect(run.exitCode, run.stdout + run.stderr).toBe(78);
    expect(run.stderr).toContain(`${config}:2: prefix "Mixes * 2024" holds "*"`);
  });
});
