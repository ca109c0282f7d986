// The rename scenario, shared by bench/rename.ts (every tool under each network profile) and
// bench/rename-large.ts (three tools on the largest library the server holds): the generated library and
// its reorganisation, one tool's run on a fresh copy of it, and the ratios between the tools that ran.
// A tool's run: a first sync (unshaped: it is not what is measured), the reorganisation, then the re-sync
// under the profile. Bytes, requests and their timeline are taken at the local server's proxy; the bucket
// is read back and compared with its volume byte for byte, then emptied (the server keeps objects in
// memory: one library at a time).
import { execFileSync } from "node:child_process";
import { utimesSync } from "node:fs";
import path from "node:path";
import type { RequestLogEntry } from "../../test/support/local-s3/server-api";
import { stringFlag, type Flags } from "./args";
import { checkBucket, type BucketCheck } from "./bucket-check";
import { applyChanges, changeSet, content, librarySpec, writeFile, type ChangeSet, type LibrarySpec } from "./library";
import { PROFILES, timeline, type ProfileName } from "./network";
import { MiB, ratio, round, say } from "./report";
import { removeNow } from "./workspace";
import {
  awsSync,
  rcloneSync,
  smartSyncBatch,
  summarizeStats,
  writeConfig,
  type BenchServer,
  type Timed,
} from "./tools";

/** Each tool: how its bucket is first filled, and how it re-syncs after the reorganisation. */
export const TOOLS = {
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
export type Tool = keyof typeof TOOLS;
export const ORDER = Object.keys(TOOLS) as Tool[];

/** `--tools smart,aws` (the keys of TOOLS; default all), run in TOOLS's order whatever the flag's. */
export function toolsFlag(flags: Flags, fallback: readonly Tool[] = ORDER): Tool[] {
  const text = stringFlag(flags, "tools");
  if (text === undefined) return [...fallback];
  const names = text.split(",").map((n) => n.trim());
  const unknown = names.filter((n) => !(n in TOOLS));
  if (unknown.length > 0 || names.length === 0)
    throw new Error(`unknown tool(s) in --tools: ${unknown.join(", ") || "(none)"}; known: ${ORDER.join(", ")}`);
  return ORDER.filter((t) => names.includes(t));
}

export interface ToolRun {
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

/** The generated library on disk (the pristine copy every tool's volume is copied from) and its changes. */
export interface Library {
  spec: LibrarySpec;
  pristine: string;
  generateMs: number;
  changes: ChangeSet;
  /** The renamed files over 8 MiB (aws uploaded them in parts) and their bucket keys after the changes. */
  renamedMultipart: ChangeSet["renamed"];
  renamedMultipartKeys: Set<string>;
  renamedMultipartBytes: number;
  /** Bytes of the new and edited files: what any tool must upload. */
  mustUpload: number;
}

const UPLOAD_OPS = new Set(["PutObject", "UploadPart"]);
const nfc = (key: string) => key.normalize("NFC");

export function writeLibrary(work: string, totalBytes: number, fileCount: number, seed: number): Library {
  const spec = librarySpec(totalBytes, fileCount, seed);
  const pristine = path.join(work, "library");
  say(`rename: writing ${spec.files.length} files, ${round(spec.totalBytes / MiB)} MiB, to ${pristine}`);
  const genStart = performance.now();
  const mtime = new Date(Date.now() - 86_400_000);
  for (const f of spec.files) writeFile(pristine, f.path, content(f.size), mtime);
  utimesSync(pristine, mtime, mtime);
  const generateMs = Math.round(performance.now() - genStart);
  const changes = changeSet(spec);
  const renamedMultipart = changes.renamed.filter((f) => f.size > 8 * MiB);
  return {
    spec,
    pristine,
    generateMs,
    changes,
    renamedMultipart,
    renamedMultipartKeys: new Set(renamedMultipart.map((f) => nfc(f.to))),
    renamedMultipartBytes: renamedMultipart.reduce((sum, f) => sum + f.size, 0),
    mustUpload: changes.changes.reduce((sum, c) => sum + (c.type === "write" ? c.data.length : 0), 0),
  };
}

/** The library and changes figures of a benchmark's JSON line. */
export function libraryFigures(lib: Library) {
  return {
    library: {
      files: lib.spec.files.length,
      bytes: lib.spec.totalBytes,
      filesOver8MiB: lib.spec.files.filter((f) => f.size > 8 * MiB).length,
      generateMs: lib.generateMs,
    },
    changes: {
      ...lib.changes.counts,
      renamedFilesOver8MiB: lib.changes.largeRenamed,
      renamedBytesOver8MiB: lib.renamedMultipartBytes,
      bytesThatMustBeUploaded: lib.mustUpload,
    },
  };
}

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

/** One tool on a fresh copy of the library: first sync, reorganisation, re-sync under the profile, check. */
export async function runTool(server: BenchServer, work: string, lib: Library, profile: ProfileName, tool: Tool) {
  const { bucket, firstBy, label } = TOOLS[tool];
  const volume = path.join(work, `${profile}-${tool}`);
  execFileSync("cp", ["-a", lib.pristine, volume]);
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
  applyChanges(volume, lib.changes);
  // The copy of the library is still being written back to disk: flush it, or the timed run shares the disk
  // and the cores with the kernel's writeback (the first tool of each profile the most).
  execFileSync("sync");

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
    renamedMultipartUploadedBytes: uploadedTo(log, lib.renamedMultipartKeys),
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

type Runs = Partial<Record<Tool, ToolRun>>;
const figure = {
  wallTime: (t: ToolRun) => t.wallMs,
  uploadedBytes: (t: ToolRun) => t.uploadedBytes,
  requests: (t: ToolRun) => t.requests,
  readBytes: (t: ToolRun) => t.readBytes,
  renamedMultipartUploaded: (t: ToolRun) => t.renamedMultipartUploadedBytes,
};
/** [ratio name, ours, peer, figure]: a ratio is given only when both of its tools ran. */
const RATIOS: [string, Tool, Tool | "mustUpload", (t: ToolRun) => number][] = [
  ["wallTime_ours_per_aws", "smart", "aws", figure.wallTime],
  ["wallTime_ours_per_rclone", "smart", "rclone", figure.wallTime],
  ["wallTime_ours_per_rcloneAfterAws", "smart", "rcloneAfterAws", figure.wallTime],
  ["uploadedBytes_ours_per_aws", "smart", "aws", figure.uploadedBytes],
  ["uploadedBytes_ours_per_rclone", "smart", "rclone", figure.uploadedBytes],
  ["uploadedBytes_ours_per_rcloneAfterAws", "smart", "rcloneAfterAws", figure.uploadedBytes],
  ["uploadedBytes_ours_per_mustUpload", "smart", "mustUpload", figure.uploadedBytes],
  ["requests_ours_per_aws", "smart", "aws", figure.requests],
  ["requests_ours_per_rclone", "smart", "rclone", figure.requests],
  // The first run after aws (no state DB yet): what a new user's first run costs.
  ["firstAfterAws_uploadedBytes_ours_per_aws", "smartAfterAws", "aws", figure.uploadedBytes],
  ["firstAfterAws_uploadedBytes_ours_per_rclone", "smartAfterAws", "rcloneAfterAws", figure.uploadedBytes],
  ["firstAfterAws_wallTime_ours_per_aws", "smartAfterAws", "aws", figure.wallTime],
  ["firstAfterAws_wallTime_ours_per_rclone", "smartAfterAws", "rcloneAfterAws", figure.wallTime],
  ["firstAfterAws_readBytes_ours_per_aws", "smartAfterAws", "aws", figure.readBytes],
  ["firstAfterAws_readBytes_ours_per_rclone", "smartAfterAws", "rcloneAfterAws", figure.readBytes],
  // Renamed files over 8 MiB: 0 for ours (proven from aws's multipart ETags and moved server-side).
  [
    "firstAfterAws_renamedMultipart_uploadedBytes_ours_per_aws",
    "smartAfterAws",
    "aws",
    figure.renamedMultipartUploaded,
  ],
  [
    "firstAfterAws_renamedMultipart_uploadedBytes_ours_per_rclone",
    "smartAfterAws",
    "rcloneAfterAws",
    figure.renamedMultipartUploaded,
  ],
];

/** Ours against each peer that ran, in the same order as when every tool runs. */
export function scenarioRatios(runs: Runs, mustUpload: number): Record<string, number | null> {
  const ratios: Record<string, number | null> = {};
  for (const [name, oursTool, peerTool, value] of RATIOS) {
    const ours = runs[oursTool];
    if (!ours) continue;
    if (peerTool === "mustUpload") ratios[name] = ratio(value(ours), mustUpload);
    else {
      const peer = runs[peerTool];
      if (peer) ratios[name] = ratio(value(ours), value(peer));
    }
  }
  return ratios;
}

/**
 * The first run after aws, renames made before it: what ours (on a bucket aws filled) uploads, hashes and
 * reads, beside aws and rclone on aws's bucket when they ran. Undefined when that run of ours was not made.
 */
export function firstAfterAwsFigures(lib: Library, runs: Runs) {
  const ours = runs.smartAfterAws;
  if (!ours) return undefined;
  const peer = (t: ToolRun | undefined) =>
    t && {
      uploadedBytes: t.uploadedBytes,
      readBytes: t.readBytes,
      readBeyondUploadedBytes: Math.max(0, t.readBytes - t.uploadedBytes),
      renamedMultipart_uploadedBytes: t.renamedMultipartUploadedBytes,
    };
  return {
    renamedMultipart: { files: lib.renamedMultipart.length, bytes: lib.renamedMultipartBytes },
    ours: {
      ...peer(ours),
      hashedBytes: ours.hashing?.bytes ?? 0,
      hashedFiles: ours.hashing?.files ?? 0,
      provenByContent: ours.hashing?.proven ?? 0,
      bytesProvenByContent: ours.hashing?.bytesProven ?? 0,
    },
    aws: peer(runs.aws),
    rcloneAfterAws: peer(runs.rcloneAfterAws),
  };
}
