// A volume unplugged in the middle of the scan: the run stops with a message, and neither S3 nor the DB
// learns the partial scan (which would read as thousands of deletions). The unplug is simulated by moving
// the volume's folder away from the first progress report of the scan, in the same process.
import { S3Client } from "@aws-sdk/client-s3";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runTarget } from "../../src/engine/run";
import type { Target } from "../../src/engine/types";
import { s3ClientConfig, useLocalS3, useServerKeysInProcess } from "../support/local-s3";
import { bucketContents, Volume } from "../support/volume";

const local = useLocalS3();
let client: S3Client;
const v = new Volume("unmount");

beforeAll(() => {
  client = new S3Client(s3ClientConfig(local));
  useServerKeysInProcess();
});
afterAll(() => {
  client.destroy();
  v.dispose();
});

describe("a volume unplugged mid-scan", () => {
  it("stops with VOLUME_MISSING and changes nothing in S3 or the DB", async () => {
    await local.createBucket("unmount");
    // Enough files that the scanner reports progress (it yields about every 50 ms) before it is done.
    for (let d = 0; d < 40; d++) {
      mkdirSync(v.abs(`d${d}`), { recursive: true });
      for (let f = 0; f < 500; f++) writeFileSync(v.abs(`d${d}/f${f}.txt`), `${d}/${f}`);
    }
    const target: Target = {
      name: "Unmount",
      localPath: v.root,
      bucket: "unmount",
      prefix: "",
      excludes: [],
      endpointUrl: local.endpoint,
    };
    const first = await runTarget(target, { command: "moves" });
    expect(first.status, JSON.stringify(first.error)).toBe("ok");
    const db = readFileSync(v.abs(".s3-smart-sync.db"));
    renameSync(v.abs("d0"), v.abs("d0 renamed")); // a pending move, to show nothing happens to it

    const away = `${v.root}-unplugged`;
    let unplugged = false;
    await local.resetStats();
    const report = await runTarget(target, {
      command: "moves",
      onEvent: (event) => {
        if (event.type === "scan-progress" && !unplugged) {
          renameSync(v.root, away);
          unplugged = true;
        }
      },
    });
    renameSync(away, v.root);
    expect(unplugged).toBe(true);
    expect(report.status).toBe("skipped");
    expect(report.error).toMatchObject({ code: "VOLUME_MISSING", message: `${v.root} went away during the scan.` });
    expect(report.error?.hint).toContain("nothing was changed");
    expect(report.moves.done).toBe(0);
    const stats = await local.stats();
    expect(stats.ops.CopyObject).toBeUndefined();
    expect(stats.ops.DeleteObject).toBeUndefined();
    expect(stats.ops.DeleteObjects).toBeUndefined();
    expect(await bucketContents(client, "unmount")).toEqual({});
    expect(readFileSync(path.join(v.root, ".s3-smart-sync.db")).equals(db)).toBe(true);
  });
});
