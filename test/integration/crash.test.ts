// Crash safety for real: the CLI (and the aws CLI it spawned) is SIGKILLed after N requests, for a spread
// of N over a run with 38 moves (folder rename, swap, 3-cycle, chain, singles), then run again. The bucket
// must end exactly as a clean run leaves it, the rerun must not upload moved files, and replaying every
// successful copy/delete of both runs must never leave a file's content without a key.
import { S3Client } from "@aws-sdk/client-s3";
import { copyFileSync, existsSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JOURNAL_FILE } from "../../src/engine/journal";
import { runTarget } from "../../src/engine/run";
import { awsCliArgs, awsOnPath } from "../support/cli";
import { killAfterRequests, replayLog, startCli, uploadedKeys } from "../support/crash";
import { bundledCli, disposeBundledCli, runBundled as runCli } from "../support/fast-cli";
import {
  EDITED_FILE,
  NEW_FILE,
  dbPaths,
  dbRecords,
  hashes,
  listFiles,
  rearrange,
  uploadAll,
  writeLibrary,
} from "../support/library";
import { s3ClientConfig, startLocalS3, useServerKeysInProcess, type LocalS3 } from "../support/local-s3";
import { bucketContents, Volume } from "../support/volume";

const MOVE_KILL_POINTS = Number(process.env.CRASH_POINTS ?? 26);
const SYNC_KILL_POINTS = 5;
const AWS = awsOnPath();

interface Server {
  local: LocalS3;
  client: S3Client;
}
const servers: Server[] = [];
let bin: string;
const volumes: Volume[] = [];
let bucketCount = 0;

beforeAll(async () => {
  bin = await bundledCli();
  // The in-process baseline runs use the SDK's default credential chain.
  useServerKeysInProcess();
  // Faults and the request count are per server: two servers let two kill points run at once.
  for (let i = 0; i < 2; i++) {
    const local = await startLocalS3();
    servers.push({ local, client: new S3Client(s3ClientConfig(local)) });
  }
});
afterAll(async () => {
  for (const v of volumes) v.dispose();
  await Promise.all(servers.map((s) => s.local.stop()));
  await disposeBundledCli();
});

type Command = "moves" | "sync";

const args = (command: Command, v: Volume, bucket: string, local: LocalS3) => [
  command,
  v.root,
  bucket,
  "--json",
  "--no-progress",
  ...(command === "sync" ? awsCliArgs(local, AWS) : ["--endpoint-url", local.endpoint]),
];

/** A volume synced once to a fresh bucket, then reorganised; returns what the bucket held before. */
async function prepare(server: Server, command: Command, firstSync: "aws" | "sdk" = "sdk") {
  const { local, client } = server;
  const bucket = `crash-${++bucketCount}`;
  await local.createBucket(bucket);
  const v = new Volume("crash");
  volumes.push(v);
  const files = writeLibrary(v);
  if (firstSync === "aws") {
    const first = await runCli(args("sync", v, bucket, local), { local });
    expect(first.exitCode, first.stderr + first.stdout).toBe(0);
  } else {
    // Set up through the SDK and an in-process baseline run: much faster than aws for 30 buckets.
    await uploadAll(client, bucket, v, files);
    const baseline = await runTarget(
      { name: "crash", localPath: v.root, bucket, prefix: "", excludes: [], endpointUrl: local.endpoint },
      { command: "moves", log: false },
    );
    expect(baseline.status, JSON.stringify(baseline.error)).toBe("ok");
  }
  const initial = await bucketContents(client, bucket);
  const oldEdited = initial[EDITED_FILE];
  rearrange(v);
  const after = listFiles(v.root);
  // What a clean run leaves: moves only keeps the old notes and does not upload the new file.
  const expected =
    command === "sync"
      ? hashes(v, after)
      : {
          ...hashes(
            v,
            after.filter((f) => f !== NEW_FILE && f !== EDITED_FILE),
          ),
          [EDITED_FILE]: oldEdited,
        };
  return { bucket, v, initial, expected, after };
}

async function cleanRequestCount(server: Server, command: Command): Promise<number> {
  const { bucket, v, expected } = await prepare(server, command, command === "sync" ? "aws" : "sdk");
  await server.local.resetStats();
  const run = await runCli(args(command, v, bucket, server.local), { local: server.local });
  expect(run.exitCode, run.stderr + run.stdout).toBe(0);
  expect(run.reports[0].moves.done).toBe(38);
  const requests = (await server.local.stats()).requests;
  expect(await bucketContents(server.client, bucket)).toEqual(expected);
  return requests;
}

/** One kill point: returns what went wrong (empty when all is well) and whether the kill happened. */
async function killPoint(
  server: Server,
  command: Command,
  n: number,
): Promise<{ killed: boolean; problems: string[] }> {
  const { local, client } = server;
  const { bucket, v, initial, expected, after } = await prepare(server, command);
  const problems: string[] = [];
  const where = `${command} killed after ${n} requests`;

  await local.resetStats();
  await local.setFaults({ failAfterRequests: n, failMode: "hang" });
  const run = startCli(bin, args(command, v, bucket, local), local);
  let killed: boolean;
  try {
    killed = await killAfterRequests(run, local, n);
  } finally {
    await local.clearFaults();
  }
  const firstRunLastSeq = Math.max(0, ...(await local.requests()).map((e) => e.seq));

  const rerun = await runCli(args(command, v, bucket, local), { local });
  if (rerun.exitCode !== 0) problems.push(`${where}: rerun exit ${rerun.exitCode}: ${rerun.stderr}${rerun.stdout}`);
  const log = await local.requests();

  const bucketNow = await bucketContents(client, bucket);
  if (diff(bucketNow, expected))
    problems.push(`${where}: bucket differs from a clean run: ${diff(bucketNow, expected)}`);

  // Uploads over both runs: only the new and the edited file, and only by sync.
  const allowed = command === "sync" ? [EDITED_FILE, NEW_FILE].sort() : [];
  const uploads = uploadedKeys(log, bucket);
  if (uploads.some((k) => !allowed.includes(k))) problems.push(`${where}: uploaded ${uploads.join(", ")}`);
  const rerunUploads = uploadedKeys(
    log.filter((e) => e.seq > firstRunLastSeq),
    bucket,
  );
  if (rerunUploads.some((k) => !allowed.includes(k))) problems.push(`${where}: rerun uploaded ${rerunUploads}`);

  // No content without a key at any instant (the edited file's old bytes are meant to go).
  const mustSurvive = new Set(Object.entries(initial).flatMap(([k, h]) => (k === EDITED_FILE ? [] : [h])));
  let firstLoss: string | undefined;
  const final = replayLog(initial, log, bucket, (state, entry) => {
    if (firstLoss) return;
    const present = new Set(state.values());
    const lost = [...mustSurvive].filter((h) => !present.has(h));
    if (lost.length)
      firstLoss = `after #${entry.seq} ${entry.op} ${entry.source?.key ?? ""} → ${entry.key}: ${lost.length} content(s) at no key`;
  });
  if (firstLoss) problems.push(`${where}: ${firstLoss}`);
  // The replay must agree with the bucket, or it proves nothing.
  if ([...final.keys()].sort().join("\n") !== Object.keys(bucketNow).sort().join("\n"))
    problems.push(`${where}: replayed keys differ from the bucket: ${[...final.keys()].sort()}`);

  const recorded = await dbPaths(v.root);
  const want = command === "sync" ? after : after.filter((f) => f !== NEW_FILE);
  if (recorded.join("\n") !== want.join("\n")) problems.push(`${where}: DB rows ${recorded} ≠ ${want}`);
  if (existsSync(path.join(v.root, JOURNAL_FILE))) problems.push(`${where}: journal left behind`);
  return { killed, problems };
}

function diff(actual: Record<string, string>, expected: Record<string, string>): string {
  const keys = [...new Set([...Object.keys(actual), ...Object.keys(expected)])].sort();
  return keys
    .filter((k) => actual[k] !== expected[k])
    .map((k) => `${k}: ${actual[k]?.slice(0, 8) ?? "missing"} (want ${expected[k]?.slice(0, 8) ?? "none"})`)
    .join("; ");
}

function spread(count: number, total: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.max(1, Math.round(((i + 0.5) * (total - 1)) / count)));
}

/** Kill points spread over [1, total - 1], run two at a time (one per server). */
async function runKillPoints(command: Command, points: number[]) {
  const results: { n: number; killed: boolean; problems: string[] }[] = [];
  let next = 0;
  await Promise.all(
    servers.map(async (server) => {
      while (next < points.length) {
        const n = points[next++];
        results.push({ n, ...(await killPoint(server, command, n)) });
      }
    }),
  );
  return results;
}

describe("SIGKILL at any point of a run with 38 moves", () => {
  it(`moves: ${MOVE_KILL_POINTS} kill points; the rerun finishes the job, nothing lost`, async () => {
    const total = await cleanRequestCount(servers[0], "moves");
    expect(total).toBeGreaterThan(38 + 30);
    const results = await runKillPoints("moves", spread(MOVE_KILL_POINTS, total));
    expect(results.flatMap((r) => r.problems)).toEqual([]);
    // Every point was a real kill mid-run, not a run that happened to finish first.
    expect(results.filter((r) => r.killed).length).toBe(MOVE_KILL_POINTS);
  }, 240_000);

  it(`sync (aws included): ${SYNC_KILL_POINTS} kill points, some during aws s3 sync`, async () => {
    const total = await cleanRequestCount(servers[0], "sync");
    // The last requests of a sync are aws's (listing, uploads): kill there too.
    const points = [...spread(SYNC_KILL_POINTS - 3, total - 3), total - 3, total - 2, total - 1];
    const results = await runKillPoints("sync", points);
    expect(results.flatMap((r) => r.problems)).toEqual([]);
    expect(results.filter((r) => r.killed).length).toBe(SYNC_KILL_POINTS);
  }, 240_000);
});

describe("a journal whose moves the DB already holds", () => {
  it("is finished without undoing the swap and cycle (killed after the DB save, before the journal went)", async () => {
    const server = servers[0];
    const { bucket, v, expected, after } = await prepare(server, "moves");
    // Keep the journal of a run stopped after every copy (only deletes left), then let a rerun finish.
    await server.local.resetStats();
    await server.local.setFaults({ operations: ["DeleteObjects"], failAfterRequests: 0, failMode: "hang" });
    const run = startCli(bin, args("moves", v, bucket, server.local), server.local);
    const deadline = Date.now() + 60_000;
    while ((await server.local.stats()).ops.DeleteObjects === undefined && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const journal = path.join(v.root, JOURNAL_FILE);
    copyFileSync(journal, `${journal}.saved`);
    await killAfterRequests(run, server.local, 0).catch(() => undefined);
    await server.local.clearFaults();
    const first = await runCli(args("moves", v, bucket, server.local), { local: server.local });
    expect(first.exitCode, first.stderr + first.stdout).toBe(0);
    // Now the DB holds every move; bring the old journal back as if the process died before removing it.
    copyFileSync(`${journal}.saved`, journal);
    const second = await runCli(args("moves", v, bucket, server.local), { local: server.local });
    expect(second.exitCode, second.stderr + second.stdout).toBe(0);
    expect(second.reports[0].moves.done).toBe(0);
    expect(await bucketContents(server.client, bucket)).toEqual(expected);
    // Each row still describes the file now at its path.
    for (const record of await dbRecords(v.root)) {
      expect(after).toContain(record.path);
      expect(record.inode, record.path).toBe(statSync(v.abs(record.path)).ino);
    }
    expect(existsSync(journal)).toBe(false);
  }, 60_000);
});

/** Runs `moves` until `stop` says the process may be killed, kills it, and reruns: the rerun's requests. */
async function interruptAndRerun(
  server: Server,
  v: Volume,
  bucket: string,
  faults: Parameters<LocalS3["setFaults"]>[0],
  stop: () => Promise<boolean>,
) {
  const { local } = server;
  await local.resetStats();
  await local.setFaults(faults);
  const run = startCli(bin, args("moves", v, bucket, local), local);
  try {
    const deadline = Date.now() + 60_000;
    while (!(await stop()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(await killAfterRequests(run, local, 0)).toBe(true);
  } finally {
    await local.clearFaults();
  }
  const firstRun = await local.requests();
  const firstRunLastSeq = Math.max(0, ...firstRun.map((e) => e.seq));
  expect(existsSync(path.join(v.root, JOURNAL_FILE))).toBe(true);
  const rerun = await runCli(args("moves", v, bucket, local), { local });
  expect(rerun.exitCode, rerun.stderr + rerun.stdout).toBe(0);
  return { firstRun, resumed: (await local.requests()).filter((e) => e.seq > firstRunLastSeq) };
}

describe("a batch interrupted, where the DB knew the objects' encryption (aws wrote them)", () => {
  it("mid-copies: the rerun copies the rest without a HEAD of each source", async () => {
    const server = servers[1];
    const { bucket, v, expected, after } = await prepare(server, "moves", "aws");
    // aws wrote every object: the DB knows each has the bucket's default encryption, so no copy needs a HEAD.
    expect((await dbRecords(v.root)).every((r) => r.defaultSse === true)).toBe(true);
    const { firstRun, resumed } = await interruptAndRerun(
      server,
      v,
      bucket,
      { failAfterRequests: 20, failMode: "hang" },
      async () => (await server.local.stats()).requests > 20,
    );
    expect(firstRun.filter((e) => e.op === "HeadObject")).toEqual([]);
    expect(resumed.filter((e) => e.op === "CopyObject").length).toBeGreaterThan(10);
    expect(resumed.filter((e) => e.op === "HeadObject").map((e) => e.key)).toEqual([]);
    expect(await bucketContents(server.client, bucket)).toEqual(expected);
    expect(await dbPaths(v.root)).toEqual(after.filter((f) => f !== NEW_FILE));
    expect((await dbRecords(v.root)).filter((r) => r.defaultSse !== true).map((r) => r.path)).toEqual([]);
    expect(existsSync(path.join(v.root, JOURNAL_FILE))).toBe(false);
  }, 120_000);

  it("before its deletes: the rows of the copies made before the kill still know it", async () => {
    const server = servers[1];
    const { bucket, v, expected, after } = await prepare(server, "moves", "aws");
    const { resumed } = await interruptAndRerun(
      server,
      v,
      bucket,
      { operations: ["DeleteObjects"], failAfterRequests: 0, failMode: "hang" },
      async () => (await server.local.stats()).ops.DeleteObjects !== undefined,
    );
    // Every copy was journaled before the deletes: the rerun only deletes.
    expect(resumed.filter((e) => e.op === "CopyObject" || e.op === "HeadObject")).toEqual([]);
    expect(resumed.filter((e) => e.op === "DeleteObjects").length).toBeGreaterThan(0);
    expect(await bucketContents(server.client, bucket)).toEqual(expected);
    expect(await dbPaths(v.root)).toEqual(after.filter((f) => f !== NEW_FILE));
    expect((await dbRecords(v.root)).filter((r) => r.defaultSse !== true).map((r) => r.path)).toEqual([]);
    expect(existsSync(path.join(v.root, JOURNAL_FILE))).toBe(false);
  }, 120_000);
});
