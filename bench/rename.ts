// Benchmark 1: the rename scenario, three tools. One generated library, four copies, four buckets; the same
// reorganisation applied to each copy, then each re-synced by its tool. Bytes and requests are counted at
// the local server's proxy; every bucket is read back and compared with its volume byte for byte.
//   tsx bench/rename.ts [--library-size 1GiB] [--library-files 400] [--seed 1] [--quick]
import { execFileSync } from "node:child_process";
import { utimesSync } from "node:fs";
import path from "node:path";
import { amountFlag, parseFlags } from "./lib/args";
import { checkBucket, type BucketCheck } from "./lib/bucket-check";
import { applyChanges, changeSet, content, librarySpec, writeFile } from "./lib/library";
import { emit, MiB, ratio, round, say } from "./lib/report";
import {
  awsSync,
  rcloneSync,
  smartSyncBatch,
  startServer,
  summarizeStats,
  writeConfig,
  type BenchServer,
  type Timed,
} from "./lib/tools";
import { workDir } from "./lib/workspace";

const flags = parseFlags();
const quick = flags.quick === true;
const totalBytes = amountFlag(flags, "library-size", quick ? 150 * MiB : 1024 * MiB);
const fileCount = amountFlag(flags, "library-files", quick ? 300 : 400);
const seed = amountFlag(flags, "seed", 1);

const TOOLS = {
  smart: { bucket: "bench-smart", label: "s3-smart-sync batch" },
  aws: { bucket: "bench-aws", label: "aws s3 sync --delete" },
  rclone: { bucket: "bench-rclone", label: "rclone sync --track-renames" },
  rcloneAfterAws: { bucket: "bench-rclone-aws", label: "rclone sync --track-renames, bucket first synced by aws" },
} as const;
type Tool = keyof typeof TOOLS;
const ORDER: Tool[] = ["smart", "aws", "rclone", "rcloneAfterAws"];

async function measure(server: BenchServer, run: () => Promise<Timed>) {
  await server.local.resetStats();
  const { ms, result } = await run();
  return { wallMs: Math.round(ms), ...summarizeStats(await server.local.stats()), stdout: String(result.stdout) };
}

async function main(): Promise<void> {
  const work = workDir("rename");
  const spec = librarySpec(totalBytes, fileCount, seed);
  const volumes = Object.fromEntries(ORDER.map((t) => [t, path.join(work, t)])) as Record<Tool, string>;
  say(`rename: writing ${spec.files.length} files, ${round(spec.totalBytes / MiB)} MiB, to ${work}`);
  const genStart = performance.now();
  const mtime = new Date(Date.now() - 86_400_000);
  for (const f of spec.files) writeFile(volumes.smart, f.path, content(f.size), mtime);
  utimesSync(volumes.smart, mtime, mtime);
  for (const t of ORDER.slice(1)) execFileSync("cp", ["-a", volumes.smart, volumes[t]]);
  const generateMs = Math.round(performance.now() - genStart);

  const server = await startServer(ORDER.map((t) => TOOLS[t].bucket));
  try {
    const config = path.join(work, "smart-sync.conf");
    writeConfig(config, [{ volume: volumes.smart, bucket: TOOLS.smart.bucket }], server.local.endpoint);
    const resync: Record<Tool, () => Promise<Timed>> = {
      smart: () => smartSyncBatch(server, config),
      aws: () => awsSync(server, volumes.aws, TOOLS.aws.bucket),
      rclone: () => rcloneSync(server, volumes.rclone, TOOLS.rclone.bucket, ["--track-renames"]),
      rcloneAfterAws: () =>
        rcloneSync(server, volumes.rcloneAfterAws, TOOLS.rcloneAfterAws.bucket, ["--track-renames"]),
    };
    const first: Record<Tool, () => Promise<Timed>> = {
      ...resync,
      rclone: () => rcloneSync(server, volumes.rclone, TOOLS.rclone.bucket),
      rcloneAfterAws: () => awsSync(server, volumes.rcloneAfterAws, TOOLS.rcloneAfterAws.bucket),
    };

    const initial: Record<string, unknown> = {};
    for (const t of ORDER) {
      say(`rename: first sync of ${t}`);
      const m = await measure(server, first[t]);
      initial[t] = { wallMs: m.wallMs, uploadedBytes: m.uploadedBytes, requests: m.requests };
    }

    const changes = changeSet(spec);
    // A second later than the uploads, so aws sees the edited files' mtimes as newer whatever its rounding.
    await new Promise((r) => setTimeout(r, 1100));
    for (const t of ORDER) applyChanges(volumes[t], changes);
    const mustUpload = changes.changes.reduce((sum, c) => sum + (c.type === "write" ? c.data.length : 0), 0);

    const results: Record<string, unknown> = {};
    const figures = {} as Record<Tool, { wallMs: number; uploadedBytes: number; requests: number; check: BucketCheck }>;
    for (const t of ORDER) {
      say(`rename: re-sync with ${TOOLS[t].label}`);
      const m = await measure(server, resync[t]);
      say(`rename: reading back ${TOOLS[t].bucket}`);
      const check = await checkBucket(server.local.endpoint, TOOLS[t].bucket, volumes[t]);
      figures[t] = { wallMs: m.wallMs, uploadedBytes: m.uploadedBytes, requests: m.requests, check };
      const extra: Record<string, unknown> = {};
      if (t === "smart") {
        const report = JSON.parse(m.stdout.trim().split("\n").pop()!) as {
          moves: { done: number; failed: number };
          aws?: { uploads: number; deletes: number };
          durationMs: number;
        };
        // The engine's own time; the rest of the wall time is starting Node, tsx and the SDK, and locating aws.
        extra.engineMs = report.durationMs;
        extra.moves = report.moves.done;
        extra.movesFailed = report.moves.failed;
        extra.awsUploads = report.aws?.uploads;
        extra.awsDeletes = report.aws?.deletes;
      }
      results[TOOLS[t].label] = {
        wallMs: m.wallMs,
        uploadedBytes: m.uploadedBytes,
        uploadedMiB: round(m.uploadedBytes / MiB),
        requests: m.requests,
        requestsByType: m.requestsByType,
        ...extra,
        bucketMatchesVolume: check.matches,
        check: check.matches ? undefined : check,
      };
    }

    const s = figures.smart;
    emit({
      bench: "rename",
      library: {
        files: spec.files.length,
        bytes: spec.totalBytes,
        filesOver8MiB: spec.files.filter((f) => f.size > 8 * MiB).length,
        generateMs,
      },
      changes: { ...changes.counts, renamedFilesOver8MiB: changes.largeRenamed, bytesThatMustBeUploaded: mustUpload },
      initialSync: initial,
      resync: results,
      ratios: {
        uploadedBytes_ours_per_aws: ratio(s.uploadedBytes, figures.aws.uploadedBytes),
        uploadedBytes_ours_per_rclone: ratio(s.uploadedBytes, figures.rclone.uploadedBytes),
        uploadedBytes_ours_per_rcloneAfterAws: ratio(s.uploadedBytes, figures.rcloneAfterAws.uploadedBytes),
        uploadedBytes_ours_per_mustUpload: ratio(s.uploadedBytes, mustUpload),
        wallTime_ours_per_aws: ratio(s.wallMs, figures.aws.wallMs),
        wallTime_ours_per_rclone: ratio(s.wallMs, figures.rclone.wallMs),
        wallTime_ours_per_rcloneAfterAws: ratio(s.wallMs, figures.rcloneAfterAws.wallMs),
        requests_ours_per_aws: ratio(s.requests, figures.aws.requests),
        requests_ours_per_rclone: ratio(s.requests, figures.rclone.requests),
      },
    });
  } finally {
    await server.local.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `rename benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
