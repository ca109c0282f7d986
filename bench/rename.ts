// Benchmark 1: the rename scenario, three tools, under each network profile. One generated library; for
// each profile and each tool a fresh copy of it, a first sync (unshaped: it is not what is measured), the
// same reorganisation, then the re-sync under the profile. Bytes, requests and their timeline are taken
// at the local server's proxy; every bucket is read back and compared with its volume byte for byte, then
// emptied (the server keeps objects in memory: one library at a time).
// The first run after aws (renames made before it, no state DB) is the case content proof is for: each
// tool's bytes hashed and uploaded, and what it uploads for the renamed files over 8 MiB, which aws
// uploaded in parts (their ETags are no MD5s, so rclone --track-renames cannot pair them; we prove them).
//   tsx bench/rename.ts [--library-size 1GiB] [--library-files 400] [--network none,office,home] [--quick]
import { execFileSync } from "node:child_process";
import { utimesSync } from "node:fs";
import path from "node:path";
import { amountFlag, parseFlags } from "./lib/args";
import { checkBucket, type BucketCheck } from "./lib/bucket-check";
import { applyChanges, changeSet, content, librarySpec, writeFile } from "./lib/library";
import { PROFILES, profilesFlag, timeline, type ProfileName } from "./lib/network";
import type { RequestLogEntry } from "../test/support/local-s3/server-api";
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
import { removeNow, workDir } from "./lib/workspace";

const flags = parseFlags();
const quick = flags.quick === true;
const totalBytes = amountFlag(flags, "library-size", quick ? 100 * MiB : 1024 * MiB);
const fileCount = amountFlag(flags, "library-files", quick ? 300 : 400);
const seed = amountFlag(flags, "seed", 1);
// Quick runs take "office" only: each profile is five first syncs, five re-syncs and five read-backs.
const profiles = profilesFlag(flags, quick ? "office" : "none,office,home");

/** Each tool: how its bucket is first filled, and how it re-syncs after the reorganisation. */
const TOOLS = {
  smart: { label: "s3-smart-sync batch", bucket: "bench-smart", firstBy: "smart" },
  aws: { label: "aws s3 sync --delete", bucket: "bench-aws", firstBy: "aws" },
  rclone: { label: "rclone sync --track-renames", bucket: "bench-rclone", firstBy: "rclone" },
  rcloneAfterAws: {
    label: "rclone sync --track-renames, bucket first synced by aws",
    bucket: "bench-rclone-aws",
    firstBy: "aws",
  },
  smartAfterAws: {
    label: "s3-smart-sync batch, first run on a bucket aws filled (renames made before it)",
    bucket: "bench-smart-aws",
    firstBy: "aws",
  },
} as const;
type Tool = keyof typeof TOOLS;
const ORDER = Object.keys(TOOLS) as Tool[];

interface ToolRun {
  wallMs: number;
  uploadedBytes: number;
  requests: number;
  /** `rchar` of the process tree: files hashed or uploaded, plus the programs' own files (see Timed). */
  readBytes: number;
  /** Ours only: bytes read to prove content (the report's `hashing`), 0 when nothing was hashed. */
  hashing?: { bytes: number; files: number; proven: number; bytesProven: number };
  /** Request bodies of PutObject and UploadPart to the new keys of renamed files over 8 MiB. */
  renamedMultipartUploadedBytes: number;
  check: BucketCheck;
}

const UPLOAD_OPS = new Set(["PutObject", "UploadPart"]);
const nfc = (key: string) => key.normalize("NFC");

/** Bytes uploaded (request bodies, as counted by the proxy) to any of these keys. */
function uploadedTo(log: RequestLogEntry[], keys: ReadonlySet<string>): number {
  let bytes = 0;
  for (const e of log) if (UPLOAD_OPS.has(e.op) && keys.has(nfc(e.key))) bytes += e.bytes;
  return bytes;
}

/** The last JSON line `batch --json` printed: one report per target, and each config here has one target. */
function lastReport(stdout: string) {
  const line = stdout
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .pop();
  if (!line) throw new Error(`s3-smart-sync printed no JSON report:\n${stdout.slice(-2000)}`);
  return JSON.parse(line) as {
    moves: { done: number; failed: number; copied?: number };
    hashing?: { bytes: number; files: number; cachedFiles: number; proven: number; bytesProven: number };
    aws?: { uploads: number; deletes: number };
    durationMs: number;
  };
}

async function runTool(server: BenchServer, work: string, pristine: string, profile: ProfileName, tool: Tool) {
  const { bucket, firstBy, label } = TOOLS[tool];
  const volume = path.join(work, `${profile}-${tool}`);
  execFileSync("cp", ["-a", pristine, volume]);
  const config = path.join(work, `${profile}-${tool}.conf`);
  writeConfig(config, [{ volume, bucket }], server.local.endpoint);
  const first = {
    smart: () => smartSyncBatch(server, config),
    aws: () => awsSync(server, volume, bucket),
    rclone: () => rcloneSync(server, volume, bucket),
  }[firstBy];
  const resync = tool.startsWith("smart")
    ? () => smartSyncBatch(server, config)
    : tool === "aws"
      ? () => awsSync(server, volume, bucket)
      : () => rcloneSync(server, volume, bucket, ["--track-renames"]);

  say(`rename [${profile}] ${tool}: first sync by ${firstBy} (unshaped)`);
  await first();
  // A second later than the uploads, so aws sees the edited files' mtimes as newer whatever its rounding.
  await new Promise((r) => setTimeout(r, 1100));
  applyChanges(volume, changes);

  say(`rename [${profile}] ${tool}: re-sync with ${label}`);
  await server.local.setNetwork(PROFILES[profile]);
  await server.local.resetStats();
  let run: Timed;
  try {
    run = await resync();
  } finally {
    await server.local.setNetwork({});
  }
  const stats = summarizeStats(await server.local.stats());
  const log = await server.local.requests();
  const check = await checkBucket(server.local.endpoint, bucket, volume);
  await server.local.emptyBucket(bucket);
  removeNow(volume);

  const extra: Record<string, unknown> = {};
  let hashing: ToolRun["hashing"];
  if (tool.startsWith("smart")) {
    const report = lastReport(String(run.result.stdout));
    const h = report.hashing;
    hashing = { bytes: h?.bytes ?? 0, files: h?.files ?? 0, proven: h?.proven ?? 0, bytesProven: h?.bytesProven ?? 0 };
    // The engine's own time; the rest of the wall time is starting Node and the SDK.
    extra.engineMs = report.durationMs;
    extra.moves = report.moves.done;
    extra.movesFailed = report.moves.failed;
    extra.copies = report.moves.copied ?? 0;
    extra.hashedBytes = hashing.bytes;
    extra.hashedFiles = hashing.files;
    extra.hashedFromCache = h?.cachedFiles ?? 0;
    extra.provenByContent = hashing.proven;
    extra.bytesProvenByContent = hashing.bytesProven;
    extra.awsUploads = report.aws?.uploads;
    extra.awsDeletes = report.aws?.deletes;
  }
  const figures: ToolRun = {
    wallMs: Math.round(run.ms),
    uploadedBytes: stats.uploadedBytes,
    requests: stats.requests,
    readBytes: run.readBytes,
    hashing,
    renamedMultipartUploadedBytes: uploadedTo(log, renamedMultipartKeys),
    check,
  };
  const line = {
    wallMs: figures.wallMs,
    uploadedBytes: stats.uploadedBytes,
    uploadedMiB: round(stats.uploadedBytes / MiB),
    // rchar of the process tree: files hashed or uploaded plus the programs' own files (Node and its bundle, aws's Python).
    readMiB: round(run.readBytes / MiB),
    // What was read beyond what was sent: hashing (rclone MD5s the files it cannot pair by size and time,
    // and each file it uploads, for its metadata) plus the programs' own files.
    readBeyondUploadedMiB: round(Math.max(0, run.readBytes - stats.uploadedBytes) / MiB),
    renamedMultipartUploadedBytes: figures.renamedMultipartUploadedBytes,
    requests: stats.requests,
    requestsByType: stats.requestsByType,
    timeline: timeline(log, run.startedAt),
    ...extra,
    bucketMatchesVolume: check.matches,
    check: check.matches ? undefined : check,
  };
  return { figures, line };
}

let changes: ReturnType<typeof changeSet>;
/** Bucket keys of the renamed files over 8 MiB after the reorganisation (aws uploaded them in parts). */
let renamedMultipartKeys: Set<string>;

async function main(): Promise<void> {
  const work = workDir("rename");
  const spec = librarySpec(totalBytes, fileCount, seed);
  const pristine = path.join(work, "library");
  say(`rename: writing ${spec.files.length} files, ${round(spec.totalBytes / MiB)} MiB, to ${pristine}`);
  const genStart = performance.now();
  const mtime = new Date(Date.now() - 86_400_000);
  for (const f of spec.files) writeFile(pristine, f.path, content(f.size), mtime);
  utimesSync(pristine, mtime, mtime);
  const generateMs = Math.round(performance.now() - genStart);
  changes = changeSet(spec);
  const renamedMultipart = changes.renamed.filter((f) => f.size > 8 * MiB);
  renamedMultipartKeys = new Set(renamedMultipart.map((f) => nfc(f.to)));
  const renamedMultipartBytes = renamedMultipart.reduce((sum, f) => sum + f.size, 0);
  const mustUpload = changes.changes.reduce((sum, c) => sum + (c.type === "write" ? c.data.length : 0), 0);

  const server = await startServer(ORDER.map((t) => TOOLS[t].bucket));
  const byProfile: Record<string, unknown> = {};
  const ratios: Record<string, number | null> = {};
  try {
    for (const profile of profiles) {
      const results: Record<string, unknown> = {};
      const f = {} as Record<Tool, ToolRun>;
      for (const tool of ORDER) {
        const { figures, line } = await runTool(server, work, pristine, profile, tool);
        f[tool] = figures;
        results[TOOLS[tool].label] = line;
      }
      const s = f.smart;
      const r = {
        wallTime_ours_per_aws: ratio(s.wallMs, f.aws.wallMs),
        wallTime_ours_per_rclone: ratio(s.wallMs, f.rclone.wallMs),
        wallTime_ours_per_rcloneAfterAws: ratio(s.wallMs, f.rcloneAfterAws.wallMs),
        uploadedBytes_ours_per_aws: ratio(s.uploadedBytes, f.aws.uploadedBytes),
        uploadedBytes_ours_per_rclone: ratio(s.uploadedBytes, f.rclone.uploadedBytes),
        uploadedBytes_ours_per_rcloneAfterAws: ratio(s.uploadedBytes, f.rcloneAfterAws.uploadedBytes),
        uploadedBytes_ours_per_mustUpload: ratio(s.uploadedBytes, mustUpload),
        requests_ours_per_aws: ratio(s.requests, f.aws.requests),
        requests_ours_per_rclone: ratio(s.requests, f.rclone.requests),
        // The first run after aws (no state DB yet): what a new user's first run costs.
        firstAfterAws_uploadedBytes_ours_per_aws: ratio(f.smartAfterAws.uploadedBytes, f.aws.uploadedBytes),
        firstAfterAws_uploadedBytes_ours_per_rclone: ratio(
          f.smartAfterAws.uploadedBytes,
          f.rcloneAfterAws.uploadedBytes,
        ),
        firstAfterAws_wallTime_ours_per_aws: ratio(f.smartAfterAws.wallMs, f.aws.wallMs),
        firstAfterAws_wallTime_ours_per_rclone: ratio(f.smartAfterAws.wallMs, f.rcloneAfterAws.wallMs),
        firstAfterAws_readBytes_ours_per_aws: ratio(f.smartAfterAws.readBytes, f.aws.readBytes),
        firstAfterAws_readBytes_ours_per_rclone: ratio(f.smartAfterAws.readBytes, f.rcloneAfterAws.readBytes),
        // Renamed files over 8 MiB: 0 for ours (proven from aws's multipart ETags and moved server-side).
        firstAfterAws_renamedMultipart_uploadedBytes_ours_per_aws: ratio(
          f.smartAfterAws.renamedMultipartUploadedBytes,
          f.aws.renamedMultipartUploadedBytes,
        ),
        firstAfterAws_renamedMultipart_uploadedBytes_ours_per_rclone: ratio(
          f.smartAfterAws.renamedMultipartUploadedBytes,
          f.rcloneAfterAws.renamedMultipartUploadedBytes,
        ),
      };
      // The first run after aws, renames made before it: the three tools on a bucket aws filled.
      const peer = (t: ToolRun) => ({
        uploadedBytes: t.uploadedBytes,
        readBytes: t.readBytes,
        readBeyondUploadedBytes: Math.max(0, t.readBytes - t.uploadedBytes),
        renamedMultipart_uploadedBytes: t.renamedMultipartUploadedBytes,
      });
      const firstAfterAws = {
        renamedMultipart: { files: renamedMultipart.length, bytes: renamedMultipartBytes },
        ours: {
          ...peer(f.smartAfterAws),
          hashedBytes: f.smartAfterAws.hashing?.bytes ?? 0,
          hashedFiles: f.smartAfterAws.hashing?.files ?? 0,
          provenByContent: f.smartAfterAws.hashing?.proven ?? 0,
          bytesProvenByContent: f.smartAfterAws.hashing?.bytesProven ?? 0,
        },
        aws: peer(f.aws),
        rcloneAfterAws: peer(f.rcloneAfterAws),
      };
      byProfile[profile] = { network: PROFILES[profile], resync: results, firstAfterAws, ratios: r };
      for (const [k, v] of Object.entries(r)) ratios[`${profile}_${k}`] = v;
    }
  } finally {
    await server.local.stop();
  }
  emit({
    bench: "rename",
    library: {
      files: spec.files.length,
      bytes: spec.totalBytes,
      filesOver8MiB: spec.files.filter((f) => f.size > 8 * MiB).length,
      generateMs,
    },
    changes: {
      ...changes.counts,
      renamedFilesOver8MiB: changes.largeRenamed,
      renamedBytesOver8MiB: renamedMultipartBytes,
      bytesThatMustBeUploaded: mustUpload,
    },
    profiles: byProfile,
    ratios,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `rename benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
