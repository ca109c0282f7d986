// Benchmark 5: one folder rename of N files (default 1,000,000, the target; --quick: 2,000). A tree
// of one-byte files with its state DB (as a sync that uploaded the tree leaves it: each object's ETag, and
// that it has the bucket's default encryption) and a bucket holding it; the top folder is renamed, then the `moves`
// pass (journal, copies, deletes, DB) runs in a child process of its own for its peak RSS. Its move rate is
// set against the server's own capacity, measured on a sample at the same concurrency: CopyObject +
// DeleteObject pairs, and CopyObject alone plus DeleteObjects batches of 1,000 keys. The bucket is checked
// afterwards: every key under the new folder, none under the old one. Heap and RSS are reported as each
// phase of the pass ends (and once the report is printed, a line per move, as the CLI does): where its
// memory goes.
//   tsx bench/folder-rename.ts [--files 1M] [--concurrency 16] [--sample 4000]   (--quick: 2k)
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { createHash } from "node:crypto";
import { renameSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { s3ClientConfig } from "../test/support/local-s3/server-api";
import { amountFlag, parseFlags } from "./lib/args";
import { runPass } from "./lib/bundled";
import { emit, ratio, round, say } from "./lib/report";
import { seedEmptyObjects, treeKeys } from "./lib/seed";
import { startServer, summarizeStats } from "./lib/tools";
import { ensureTree } from "./lib/tree";
import { workDir } from "./lib/workspace";

const flags = parseFlags();
const files = amountFlag(flags, "files", flags.quick === true ? 2_000 : 1_000_000);
const concurrency = amountFlag(flags, "concurrency", 16);
const sampleSize = Math.min(files, amountFlag(flags, "sample", flags.quick === true ? 1_000 : 4_000));
const BUCKET = "bench-folder-rename";
const BODY = "x";
const CAPACITY = "bench-folder-capacity";
const TARGET_RSS_MIB = 1024;
/** S3's documented rate per partitioned prefix for PUT/COPY/POST/DELETE requests. */
const S3_WRITES_PER_PREFIX = 3_500;

async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

const source = (key: string) => `${CAPACITY}/${key.split("/").map(encodeURIComponent).join("/")}`;

/** The server's rates on `keys` (moved from a/ to b/ and back): pairs, and copies + batched deletes. */
async function capacity(client: S3Client, keys: string[]) {
  const a = keys.map((k) => `a/${k}`);
  const timedMs = async (work: () => Promise<void>) => {
    const start = performance.now();
    await work();
    return performance.now() - start;
  };
  // Warm-up round, not counted: pairs a → b.
  await pool(keys, concurrency, async (k) => {
    await client.send(new CopyObjectCommand({ Bucket: CAPACITY, Key: `b/${k}`, CopySource: source(`a/${k}`) }));
    await client.send(new DeleteObjectCommand({ Bucket: CAPACITY, Key: `a/${k}` }));
  });
  const pairsMs = await timedMs(() =>
    pool(keys, concurrency, async (k) => {
      await client.send(new CopyObjectCommand({ Bucket: CAPACITY, Key: `a/${k}`, CopySource: source(`b/${k}`) }));
      await client.send(new DeleteObjectCommand({ Bucket: CAPACITY, Key: `b/${k}` }));
    }),
  );
  const copiesMs = await timedMs(() =>
    pool(keys, concurrency, async (k) => {
      await client.send(new CopyObjectCommand({ Bucket: CAPACITY, Key: `b/${k}`, CopySource: source(`a/${k}`) }));
    }),
  );
  const batches: string[][] = [];
  for (let i = 0; i < a.length; i += 1000) batches.push(a.slice(i, i + 1000));
  const batchedDeletesMs = await timedMs(() =>
    pool(batches, concurrency, async (batch) => {
      await client.send(
        new DeleteObjectsCommand({
          Bucket: CAPACITY,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
    }),
  );
  const perSecond = (ms: number) => round(keys.length / (ms / 1000));
  return {
    sample: keys.length,
    pairsPerSecond: perSecond(pairsMs),
    copiesPerSecond: perSecond(copiesMs),
    batchedDeletesPerSecond: perSecond(batchedDeletesMs),
    /** Moves per second when each move is a copy and 1/1000 of a DeleteObjects. */
    copyAndBatchedDeletePerSecond: perSecond(copiesMs + batchedDeletesMs),
  };
}

async function countKeys(client: S3Client, prefix: string): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix, ContinuationToken: token }),
    );
    count += page.KeyCount ?? 0;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return count;
}

async function main(): Promise<void> {
  const volume = workDir("folder-rename");
  say(`folder-rename: a tree of ${files} files`);
  const tree = ensureTree(volume, files);
  // One byte per file: an empty file is never a move (nothing to save, and exFAT gives them all one inode).
  const keysBefore = treeKeys(volume);
  const old = new Date(Date.now() - 86_400_000);
  for (const key of keysBefore) {
    writeFileSync(path.join(volume, key), BODY);
    utimesSync(path.join(volume, key), old, old);
  }
  const server = await startServer([BUCKET, CAPACITY]);
  const client = new S3Client({ ...s3ClientConfig(server.local), requestChecksumCalculation: "WHEN_REQUIRED" });
  const env = { ...server.awsEnv };
  const child = (args: string[]) => runPass(args, env);
  try {
    say(`folder-rename: state DB and bucket`);
    await child(["build", volume, BUCKET, createHash("md5").update(BODY).digest("hex")]);
    const keys = treeKeys(volume);
    await seedEmptyObjects(server, BUCKET, keys, BODY);
    say(`folder-rename: server capacity on a sample of ${sampleSize} keys at concurrency ${concurrency}`);
    await seedEmptyObjects(
      server,
      CAPACITY,
      keys.slice(0, sampleSize).map((k) => `a/${k}`),
      BODY,
    );
    const limit = await capacity(client, keys.slice(0, sampleSize));

    const from = path.basename(tree.root);
    const to = `${from} (renamed) ✨`;
    renameSync(tree.root, path.join(volume, to));
    say(`folder-rename: the moves pass (${files} moves)`);
    await server.local.resetStats();
    const pass = await child(["pass", volume, BUCKET, server.local.endpoint]);
    const stats = summarizeStats(await server.local.stats());
    const p = pass.result as {
      passMs: number;
      phases: Record<string, number>;
      memoryMiB: Record<string, { heap: number; rss: number; peak: number }>;
      outputMs: number;
      moves: number;
    };
    const moved = await countKeys(client, `${to}/`);
    const left = await countKeys(client, `${from}/`);
    if (p.moves !== files || moved !== files || left !== 0)
      throw new Error(`folder rename: ${p.moves} moves, ${moved} keys under the new folder, ${left} under the old`);
    const moveMs = p.phases.move ?? 0;
    const movesPerSecond = round(files / (moveMs / 1000));
    const writes =
      (stats.requestsByType.CopyObject ?? 0) +
      (stats.requestsByType.DeleteObject ?? 0) +
      (stats.requestsByType.DeleteObjects ?? 0);
    emit({
      bench: "folder-rename",
      files,
      concurrency,
      serverCapacity: limit,
      smartSync: {
        movesPerSecond,
        movePhaseMs: moveMs,
        passMs: p.passMs,
        phasesMs: p.phases,
        printReportMs: p.outputMs,
        memoryAtPhaseEndMiB: p.memoryMiB,
        maxRssMiB: round(pass.maxRssKiB / 1024),
        cpuMs: pass.cpuMs,
        requestsByType: stats.requestsByType,
      },
      bucketAfter: { underNewFolder: moved, underOldFolder: left },
      // Real S3 takes 3,500 writes/s per partitioned prefix; a folder rename writes under one new prefix and
      // deletes under one old one. Latency bounds it too: `concurrency` requests in flight at a time.
      projectionRealS3: {
        writeRequests: writes,
        secondsAt3500WritesPerSecond: round(writes / S3_WRITES_PER_PREFIX),
        secondsAt30msPerRequestAndThisConcurrency: round((writes * 0.03) / concurrency),
      },
      ratios: {
        moves_ours_per_pairCapacity: ratio(movesPerSecond, limit.pairsPerSecond),
        moves_ours_per_copyAndBatchedDeleteCapacity: ratio(movesPerSecond, limit.copyAndBatchedDeletePerSecond),
        maxRss_per_1GiB: ratio(pass.maxRssKiB / 1024, TARGET_RSS_MIB),
      },
    });
  } finally {
    client.destroy();
    await server.local.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `folder-rename benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
