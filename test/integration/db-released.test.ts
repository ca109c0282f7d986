// The run lets go of the state DB's memory once the plan stage has read its rows, and reads the file again
// when it next needs it: after the moves, to record them. What it reads then must be the file it let go of.
// A file another program replaced is refused and left as written; the moves made are in the journal, which
// the next run finishes. A volume gone before the moves stops the run before any.
import { S3Client } from "@aws-sdk/client-s3";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStateDb } from "../../src/engine/db";
import type { EngineEvent } from "../../src/engine/events";
import { MoveJournal } from "../../src/engine/journal";
import { runTarget } from "../../src/engine/run";
import type { Target } from "../../src/engine/types";
import { s3ClientConfig, useLocalS3, useServerKeysInProcess } from "../support/local-s3";
import { bucketContents, expectedContents, Volume } from "../support/volume";

const local = useLocalS3();
let client: S3Client;
const volumes: Volume[] = [];

beforeAll(() => {
  client = new S3Client(s3ClientConfig(local));
  useServerKeysInProcess();
});
afterAll(() => {
  client.destroy();
  for (const v of volumes) v.dispose();
});

/** A synced volume with a rename pending; `during` runs as the run lists the bucket (after the plan stage). */
async function renameRun(bucket: string, during: (v: Volume) => void) {
  await local.createBucket(bucket);
  const v = new Volume(bucket);
  volumes.push(v);
  const files = ["Photos/a.jpg", "Photos/b.jpg", "Docs/c.pdf"];
  for (const [i, rel] of files.entries()) v.file(rel, 20_000 + i);
  const target: Target = {
    name: bucket,
    localPath: v.root,
    bucket,
    prefix: "",
    excludes: [],
    endpointUrl: local.endpoint,
  };
  const first = await runTarget(target, { command: "sync" });
  expect(first.status, JSON.stringify(first.error)).toBe("ok");
  const synced = expectedContents(v, files);
  v.rename("Photos", "Pictures");
  await local.resetStats();
  let listed = false;
  const report = await runTarget(target, {
    command: "sync",
    onEvent: (event: EngineEvent) => {
      if (event.type === "phase" && event.phase === "list" && !listed) {
        listed = true;
        during(v);
      }
    },
  });
  expect(listed).toBe(true);
  const stats = await local.stats();
  return { v, target, report, synced, stats };
}

describe("the state DB read again after the plan", () => {
  it("refuses a DB file another program replaced meanwhile and leaves it as written; the next run records the moves", async () => {
    let written = Buffer.alloc(0);
    const { v, target, report, stats } = await renameRun("db-replaced", (v) => {
      // The same bytes through a new file, as a restore or a sync client would write it.
      written = readFileSync(v.abs(".s3-smart-sync.db"));
      writeFileSync(v.abs(".s3-smart-sync.db.new"), written);
      renameSync(v.abs(".s3-smart-sync.db.new"), v.abs(".s3-smart-sync.db"));
    });
    expect(report.status).toBe("failed");
    expect(report.error).toMatchObject({
      code: "DB_UNREADABLE",
      message: `The state DB ${v.abs(".s3-smart-sync.db")} was changed by another program during this run.`,
    });
    expect(report.error?.hint).toContain("check what wrote it");
    // The two moves were made (journaled first), nothing uploaded, and the DB file is the other program's.
    expect(stats.ops.CopyObject?.count).toBe(2);
    expect(stats.ops.PutObject).toBeUndefined();
    const files = ["Pictures/a.jpg", "Pictures/b.jpg", "Docs/c.pdf"];
    expect(await bucketContents(client, "db-replaced")).toEqual(expectedContents(v, files));
    expect(readFileSync(v.abs(".s3-smart-sync.db")).equals(written)).toBe(true);
    expect(existsSync(MoveJournal.pathFor(v.root))).toBe(true);

    await local.resetStats();
    const next = await runTarget(target, { command: "sync" });
    expect(next.status, JSON.stringify(next.error)).toBe("ok");
    expect((await local.stats()).ops.PutObject).toBeUndefined();
    expect(await bucketContents(client, "db-replaced")).toEqual(expectedContents(v, files));
    expect(existsSync(MoveJournal.pathFor(v.root))).toBe(false);
    const { db } = await openStateDb({ volumeRoot: v.root, readOnly: true });
    expect(db.allFiles().map((row) => row.path)).toEqual(["Docs/c.pdf", "Pictures/a.jpg", "Pictures/b.jpg"]);
    db.close();
  });

  it("stops when the volume went away before the moves: no move, no upload, and the DB as it was", async () => {
    let before = Buffer.alloc(0);
    let away = "";
    const { v, report, synced, stats } = await renameRun("db-unplugged", (v) => {
      before = readFileSync(v.abs(".s3-smart-sync.db"));
      away = `${v.root}-unplugged`;
      renameSync(v.root, away);
    });
    renameSync(away, v.root);
    expect(report.status).toBe("skipped");
    expect(report.error).toMatchObject({ code: "VOLUME_MISSING", message: `${v.root} went away during the run.` });
    expect(report.error?.hint).toContain("Connect the volume again");
    expect(report.moves.done).toBe(0);
    expect(stats.ops.CopyObject).toBeUndefined();
    expect(stats.ops.PutObject).toBeUndefined();
    expect(stats.ops.DeleteObjects).toBeUndefined();
    expect(await bucketContents(client, "db-unplugged")).toEqual(synced);
    expect(readFileSync(v.abs(".s3-smart-sync.db")).equals(before)).toBe(true);
  });
});
