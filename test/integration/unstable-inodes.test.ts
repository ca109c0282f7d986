// Unstable inodes, through the real CLI, both aws CLIs and the local S3 server: every file copied over
// itself with its mtime kept (each gets a new inode, some get another file's old number), plus renames, one
// of them with a new inode too (proven by content). Nothing is uploaded, the renames are moves, the DB takes
// the new numbers. (Zero-length files are covered
// by test/engine/unstable-inodes.test.ts: the local server answers 500 to an empty PutObject.)
import { readFileSync, renameSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { AWS_CLIS, awsCliArgs } from "../support/cli";
import { disposeBundledCli, runBundled as runCli } from "../support/fast-cli";
import { useS3Fixture } from "../support/fixture";
import { dbRecords, listFiles } from "../support/library";
import { bucketContents, expectedContents, type Volume } from "../support/volume";

const { local, s3, volume, freshBucket } = useS3Fixture("inodes");
afterAll(async () => {
  await disposeBundledCli();
});

/** A copy of the file replaces it (new inode), with the old mtime: what a remount of exFAT looks like. */
export function copyOverItself(v: Volume, rel: string): void {
  const abs = v.abs(rel);
  const before = statSync(abs);
  writeFileSync(`${abs}.copy`, readFileSync(abs));
  utimesSync(`${abs}.copy`, before.atime, before.mtime);
  renameSync(`${abs}.copy`, abs);
}

describe.each(AWS_CLIS)("unstable inodes, with $name", ({ path: awsPath }) => {
  const sync = (v: Volume, bucket: string) =>
    runCli(["sync", v.root, bucket, "--json", "--no-progress", ...awsCliArgs(local, awsPath)], { local });

  it("files copied over themselves (mtimes kept) upload nothing; renames among them are moves", async () => {
    const bucket = await freshBucket();
    const v = volume();
    for (let i = 0; i < 12; i++) v.file(`album/track ${i}.mp3`, 20_000 + i * 1000);
    v.file("big/video.mov", 9 * 1024 * 1024);
    v.file("album/cover.png", 300_000);
    const first = await sync(v, bucket);
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    const inodesBefore = new Map(listFiles(v.root).map((f) => [f, statSync(v.abs(f)).ino]));

    v.rename("album/track 1.mp3", "album/renamed 1.mp3");
    v.rename("big/video.mov", "big/renamed.mov");
    v.rename("album/cover.png", "art/cover.png"); // renamed, then copied over itself below: a new inode too
    for (const f of listFiles(v.root)) if (!f.includes("renamed")) copyOverItself(v, f);
    const changed = listFiles(v.root).filter(
      (f) => inodesBefore.has(f) && statSync(v.abs(f)).ino !== inodesBefore.get(f),
    );
    expect(changed.length).toBe(11);
    await local.resetStats();

    const run = await sync(v, bucket);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const report = run.reports[0];
    expect(report.moves.done).toBe(3);
    expect(
      report.moves.list
        .filter((m) => m.status === "done")
        .map((m) => [m.from, m.to, m.evidence])
        .sort(),
    ).toEqual([
      ["album/cover.png", "art/cover.png", "hash"],
      ["album/track 1.mp3", "album/renamed 1.mp3", "inode"],
      ["big/video.mov", "big/renamed.mov", "inode"],
    ]);
    expect(report.counts).toMatchObject({ new: 0, modified: 0, deleted: 0, unchanged: 11 });
    expect((await local.stats()).uploadedBytes).toBe(0);
    expect(report.aws?.uploads).toBe(0);
    const log = await local.requests();
    expect(
      log.filter((e) => e.op === "DeleteObjects" || e.op === "DeleteObject").flatMap((e) => e.keys ?? [e.key]),
    ).toEqual(expect.arrayContaining(["album/track 1.mp3", "big/video.mov"]));
    expect(await bucketContents(s3.client, bucket)).toEqual(expectedContents(v, listFiles(v.root)));
    // The DB took every new number.
    const rows = await dbRecords(v.root);
    expect(rows.map((r) => r.path).sort()).toEqual(listFiles(v.root));
    for (const r of rows) expect(r.inode, r.path).toBe(statSync(v.abs(r.path)).ino);

    // And the next run has nothing to do.
    await local.resetStats();
    const again = await sync(v, bucket);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect(again.reports[0].counts).toMatchObject({ new: 0, modified: 0, deleted: 0, unchanged: 14 });
    expect((await local.stats()).uploadedBytes).toBe(0);
  });
});
