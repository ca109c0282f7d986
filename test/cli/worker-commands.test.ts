// The CLI commands Raycast runs as child processes (so that nothing heavy lives in Raycast's process), as a
// terminal user meets them too: `status` for every target, `preview`, `apply-moves`, `skip-move`, and
// `batch` as the background worker (state file with heartbeat, last results, bytes uploaded, --if-changed,
// a clean stop on SIGTERM, the end-of-run notification).
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { execa } from "execa";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { PreviewLine } from "../../src/cli/preview";
import type { ResultsByTarget } from "../../src/cli/results-file";
import type { SyncState } from "../../src/cli/state-file";
import type { TargetStatusLine } from "../../src/cli/status";
import { openStateDb } from "../../src/engine/db";
import { acquireVolumeLock } from "../../src/engine/lock";
import { AWS_CLIS } from "../support/cli";
import { bundledCli, disposeBundledCli, runBundled } from "../support/fast-cli";
import { useS3Fixture } from "../support/fixture";
import { awsEnv } from "../support/local-s3";

const fx = useS3Fixture("wcli");
afterAll(() => disposeBundledCli());

function json<T>(stdout: string): T[] {
  return stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as T);
}

/** The config lives beside the volume (inside, aws would upload it). */
function writeConfig(root: string, lines: string[]): string {
  const file = `${root}.conf`;
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

const line = (root: string, bucket: string, name: string) =>
  `${root} | ${bucket} | | | endpoint=${fx.local.endpoint}, name=${name}`;

async function exists(bucket: string, key: string): Promise<boolean> {
  try {
    await fx.s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

describe("status without a path", () => {
  it("reports every target of the config with capped lists, unmounted ones and a running sync", async () => {
    const b = await fx.freshBucket();
    const v = fx.volume();
    for (let i = 0; i < 5; i++) v.file(`old/${i}.bin`, 100 + i);
    const config = writeConfig(v.root, [line(v.root, b, "Vault"), line("/Volumes/Gone Disk", "gone-bucket", "Gone")]);
    const first = await runBundled(["batch", "-c", config, "--aws-cli", AWS_CLIS[0]!.path, "--json"], {
      local: fx.local,
    });
    expect(first.exitCode, first.stderr).toBe(2); // Gone is not mounted
    v.rename("old", "new");
    for (let i = 0; i < 4; i++) v.file(`fresh/${i}.txt`, 10);
    const lock = await acquireVolumeLock(v.root, { command: "batch" });

    const r = await runBundled(["status", "-c", config, "--limit", "2", "--json"], { local: fx.local });
    const text = await runBundled(["status", "-c", config, "-t", "Vault"], { local: fx.local });
    await lock.release();
    expect(r.exitCode, r.stderr).toBe(0);
    const [vault, gone] = json<TargetStatusLine>(r.stdout);
    expect(vault!.target).toBe("Vault");
    expect(vault!.mounted).toBe(true);
    expect(vault!.counts).toMatchObject({ new: 4, moved: 5, deleted: 0, modified: 0 });
    expect(vault!.files.new).toHaveLength(2);
    expect(vault!.files.moved).toHaveLength(2);
    expect(vault!.lastRun?.status).toBe("ok");
    expect(vault!.recorded).toEqual({ bucket: b, prefix: "" });
    expect(vault!.syncing).toMatchObject({ command: "batch", pid: process.pid });
    expect(gone).toMatchObject({ target: "Gone", mounted: false });

    expect(text.stdout).toMatch(/^Vault: 5 moves, 4 new; last sync .* \(ok\); batch running/);
    const unknown = await runBundled(["status", "-c", config, "-t", "Nope", "--json"], { local: fx.local });
    expect(unknown.exitCode).toBe(78);
    expect(json<{ error: { message: string } }>(unknown.stdout)[0]!.error.message).toContain("No target named Nope");
  });
});

describe("preview, apply-moves and skip-move", () => {
  it("previews beside a running sync, applies one move of a swap with its partner, skips and unskips", async () => {
    const b = await fx.freshBucket();
    const v = fx.volume();
    v.file("a.flac", 3000);
    v.file("b.flac", 3000, "other bytes");
    v.file("solo/one.flac", 2000);
    v.file("solo/two.flac", 2000);
    const config = writeConfig(v.root, [line(v.root, b, "Vault"), line("/Volumes/Gone Disk", "gone-bucket", "Gone")]);
    const aws = ["--aws-cli", AWS_CLIS[0]!.path];
    expect((await runBundled(["batch", "-c", config, ...aws, "-t", "Vault"], { local: fx.local })).exitCode).toBe(0);
    // A swap (a ↔ b) and two plain renames.
    v.rename("a.flac", "tmp.flac");
    v.rename("b.flac", "a.flac");
    v.rename("tmp.flac", "b.flac");
    v.rename("solo/one.flac", "solo/uno.flac");
    v.rename("solo/two.flac", "solo/dos.flac");

    const lock = await acquireVolumeLock(v.root, { command: "batch" });
    const preview = await runBundled(["preview", "-c", config, "--json"], { local: fx.local });
    await lock.release();
    const [vault, gone] = json<PreviewLine>(preview.stdout);
    expect(vault!.dryRun).toBe(true);
    expect(vault!.notices.some((n) => n.startsWith("A sync is running on this volume (batch"))).toBe(true);
    expect(vault!.lastRun?.status).toBe("ok");
    const planned = vault!.moves.list.filter((m) => m.status === "planned");
    expect(planned.map((m) => `${m.from}→${m.to}`).sort()).toEqual([
      "a.flac→b.flac",
      "b.flac→a.flac",
      "solo/one.flac→solo/uno.flac",
      "solo/two.flac→solo/dos.flac",
    ]);
    const swap = planned.filter((m) => m.from.endsWith(".flac") && !m.from.startsWith("solo"));
    expect(swap[0]!.group).toBeDefined();
    expect(swap[0]!.group).toBe(swap[1]!.group);
    expect(gone).toMatchObject({ target: "Gone", status: "skipped", error: { code: "VOLUME_MISSING" } });

    const capped = await runBundled(["preview", "-c", config, "-t", "Vault", "--limit", "1", "--json"], {
      local: fx.local,
    });
    const [one] = json<PreviewLine>(capped.stdout);
    expect(one!.moves.list).toHaveLength(1);
    expect(one!.listTotal).toBe(4);

    // One half of the swap brings the other half along.
    const apply = await runBundled(
      ["apply-moves", "Vault", "-c", config, "--from", "a.flac", "--to", "b.flac", "--json"],
      {
        local: fx.local,
      },
    );
    expect(apply.exitCode, apply.stderr).toBe(0);
    expect(apply.reports[0]!.moves.done).toBe(2);
    expect(await exists(b, "solo/one.flac")).toBe(true);

    const skip = await runBundled(["skip-move", "Vault", "solo/one.flac", "solo/uno.flac", "-c", config, "--json"], {
      local: fx.local,
    });
    expect(skip.exitCode, skip.stderr).toBe(0);
    const { db } = await openStateDb({ volumeRoot: v.root, readOnly: true });
    const skipped = db.skippedMoves();
    db.close();
    expect(skipped.map((s) => `${s.fromPath}→${s.toPath}`)).toEqual(["solo/one.flac→solo/uno.flac"]);
    expect(skipped[0]!.size).toBe(2000);
    const after = json<PreviewLine>(
      (await runBundled(["preview", "-c", config, "-t", "Vault", "--json"], { local: fx.local })).stdout,
    )[0]!;
    expect(after.moves.list.filter((m) => m.status === "planned").map((m) => m.to)).toEqual(["solo/dos.flac"]);

    const undo = await runBundled(["skip-move", "Vault", "solo/one.flac", "solo/uno.flac", "--undo", "-c", config], {
      local: fx.local,
    });
    expect(undo.stdout).toContain("No longer skipped: solo/one.flac → solo/uno.flac");
    const back = json<PreviewLine>(
      (await runBundled(["preview", "-c", config, "-t", "Vault", "--json"], { local: fx.local })).stdout,
    )[0]!;
    expect(
      back.moves.list
        .filter((m) => m.status === "planned")
        .map((m) => m.to)
        .sort(),
    ).toEqual(["solo/dos.flac", "solo/uno.flac"]);

    const all = await runBundled(["apply-moves", "Vault", "--all", "-c", config, "--json"], { local: fx.local });
    expect(all.reports[0]!.moves.done).toBe(2);
    expect(await exists(b, "solo/uno.flac")).toBe(true);
    expect(await exists(b, "solo/one.flac")).toBe(false);
    const usage = await runBundled(["apply-moves", "Vault", "-c", config], { local: fx.local });
    expect(usage.exitCode).toBe(64);
  });
});

describe.each(AWS_CLIS)("batch as the background worker ($name)", ({ path: awsPath }) => {
  it("keeps a state file with heartbeat, bytes uploaded, last results and the end notification", async () => {
    const b = await fx.freshBucket();
    const v = fx.volume();
    v.file("one.bin", 12_345);
    v.file("dir/two.bin", 54_321);
    const config = writeConfig(v.root, [line(v.root, b, "Vault")]);
    const state = path.join(v.root, "..", `${path.basename(v.root)}-support`, "sync-state.json");
    const r = await runBundled(
      [
        "batch",
        "-c",
        config,
        "--aws-cli",
        awsPath,
        "--json",
        "--state-file",
        state,
        "--notify-after",
        "0",
        "--keep-awake",
      ],
      { local: fx.local },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const s = JSON.parse(readFileSync(state, "utf8")) as SyncState;
    expect(s).toMatchObject({ done: true, exitCode: 0, pid: expect.any(Number), unchanged: [] });
    expect(Date.parse(s.heartbeatAt)).toBeGreaterThanOrEqual(Date.parse(s.startedAt));
    expect(Date.parse(s.workerStartedAt)).toBeLessThanOrEqual(Date.parse(s.startedAt));
    expect(Date.parse(s.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(s.startedAt));
    expect(s.uploaded.Vault).toEqual({ files: 2, bytes: 12_345 + 54_321 });
    expect(s.notification).toEqual({
      title: "Sync Finished",
      message: "1 target synced · 0 moves · 0 B not uploaded · 2 files uploaded (66.7 KB)",
      sent: false, // not macOS: no osascript
    });
    const results = JSON.parse(
      readFileSync(path.join(path.dirname(state), "last-results.json"), "utf8"),
    ) as ResultsByTarget;
    expect(results.Vault).toMatchObject({ status: "ok", uploads: 2, uploadedBytes: 66_666, moves: 0 });
    expect(results.Vault!.logFile).toMatch(/s3-sync-batch-.*\.log$/);

    // Nothing changed: --if-changed leaves the volume alone and says so.
    const again = await runBundled(
      ["batch", "-c", config, "--aws-cli", awsPath, "--json", "--state-file", state, "--if-changed"],
      {
        local: fx.local,
      },
    );
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.reports).toEqual([]);
    const s2 = JSON.parse(readFileSync(state, "utf8")) as SyncState;
    expect(s2.unchanged).toEqual(["Vault"]);
    const r2 = JSON.parse(readFileSync(path.join(path.dirname(state), "last-results.json"), "utf8")) as ResultsByTarget;
    expect(r2.Vault!.uploadedBytes).toBe(66_666);
    expect(Date.parse(r2.Vault!.checkedAt!)).toBeGreaterThan(Date.parse(r2.Vault!.at));

    // A change: --if-changed syncs it.
    v.file("three.bin", 1000);
    const third = await runBundled(
      ["batch", "-c", config, "--aws-cli", awsPath, "--json", "--state-file", state, "--if-changed"],
      {
        local: fx.local,
      },
    );
    expect(third.reports.map((x) => x.status)).toEqual(["ok"]);
    expect(await exists(b, "three.bin")).toBe(true);
  });
});

describe("stopping the worker", () => {
  it("stops cleanly on SIGTERM and says so in its state", async () => {
    const b = await fx.freshBucket();
    const v = fx.volume();
    for (let i = 0; i < 400; i++) v.file(`many/${i}.bin`, 30_000);
    const config = writeConfig(v.root, [line(v.root, b, "Vault")]);
    const state = path.join(`${v.root}-support`, "sync-state.json");
    const child = execa(
      process.execPath,
      [await bundledCli(), "batch", "-c", config, "--aws-cli", AWS_CLIS[0]!.path, "--json", "--state-file", state],
      { env: awsEnv(fx.local), extendEnv: false, reject: false },
    );
    // Stop once aws is uploading.
    await expect
      .poll(
        () => {
          try {
            return (JSON.parse(readFileSync(state, "utf8")) as SyncState).phase;
          } catch {
            return "none";
          }
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBe("aws");
    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode).toBe(130);
    const s = JSON.parse(readFileSync(state, "utf8")) as SyncState;
    expect(s).toMatchObject({ done: true, stopped: true, progress: "Stopped", exitCode: 130 });
  });
});
