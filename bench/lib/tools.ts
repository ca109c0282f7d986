// The local S3 server and the three tools as the benchmarks run them: S3 Smart Sync's CLI, the aws CLI
// (the same binary the engine finds), and rclone 1.60 configured entirely through its environment.
import { execa, type Result } from "execa";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { locateAwsCli, type AwsCliInfo } from "../../src/engine/aws-cli";
import { awsEnv, startLocalS3, type LocalS3, type LocalS3Stats } from "../../test/support/local-s3/server-api";

export const ROOT = path.resolve(import.meta.dirname, "../..");
const CLI = path.join(ROOT, "bin/s3-smart-sync.js");

export interface BenchServer {
  local: LocalS3;
  aws: AwsCliInfo;
  /** Environment for the aws CLI and for S3 Smart Sync (its SDK reads the same dummy keys). */
  awsEnv: NodeJS.ProcessEnv;
  rcloneEnv: NodeJS.ProcessEnv;
}

export async function startServer(buckets: string[]): Promise<BenchServer> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const local = await startLocalS3({ buckets });
  const env = awsEnv(local);
  // The engine's SDK client, when run in this process, uses the default chain: the same dummy keys.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
    AWS_REGION: "us-east-1",
    AWS_CONFIG_FILE: env.AWS_CONFIG_FILE,
    AWS_SHARED_CREDENTIALS_FILE: env.AWS_SHARED_CREDENTIALS_FILE,
  });
  const aws = await locateAwsCli({ env });
  return { local, aws, awsEnv: env, rcloneEnv: rcloneEnv(local) };
}

/** rclone remote `local:` on the server; fauxqs caps single requests at 11 MiB, hence the 8M cutoff. */
function rcloneEnv(local: LocalS3): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RCLONE_CONFIG: "/nonexistent/rclone.conf",
    RCLONE_CONFIG_LOCAL_TYPE: "s3",
    RCLONE_CONFIG_LOCAL_PROVIDER: "Other",
    RCLONE_CONFIG_LOCAL_ENDPOINT: local.endpoint,
    RCLONE_CONFIG_LOCAL_ACCESS_KEY_ID: "local",
    RCLONE_CONFIG_LOCAL_SECRET_ACCESS_KEY: "local-secret",
    RCLONE_CONFIG_LOCAL_REGION: "us-east-1",
    RCLONE_CONFIG_LOCAL_FORCE_PATH_STYLE: "true",
    RCLONE_S3_UPLOAD_CUTOFF: "8M",
  };
  delete env.AWS_CA_BUNDLE;
  return env;
}

export interface Timed {
  ms: number;
  /** Epoch ms when the process was started (the proxy's request log uses the same clock). */
  startedAt: number;
  /**
   * Bytes the process and its children read through read(2) and friends (`rchar` of /proc/<pid>/io): the
   * files hashed or uploaded, plus the program's own files as it starts (a few MB for Node, tens for Python).
   */
  readBytes: number;
  result: Result;
}

// A shell runs the tool and reads its own /proc/<pid>/io once the tool is reaped: Linux adds a reaped
// child's I/O counts (and its children's) to its parent's, as it does CPU times.
const WITH_IO = 'io=$1; shift; "$@"; rc=$?; cat /proc/$$/io > "$io"; exit $rc';

async function timed(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  const ioFile = path.join(tmpdir(), `s3ss-bench-io-${process.pid}-${++ioSeq}`);
  const startedAt = Date.now();
  const start = performance.now();
  const result = await execa("sh", ["-c", WITH_IO, "sh", ioFile, file, ...args], {
    env,
    extendEnv: false,
    reject: false,
    all: true,
  });
  const ms = performance.now() - start;
  let readBytes = 0;
  try {
    readBytes = Number(/^rchar: (\d+)/m.exec(readFileSync(ioFile, "utf8"))?.[1] ?? 0);
    rmSync(ioFile, { force: true });
  } catch {
    // no accounting: leave 0
  }
  if (result.exitCode !== 0)
    throw new Error(
      `${path.basename(file)} ${args.join(" ")} exited ${result.exitCode}:\n${String(result.all).slice(-3000)}`,
    );
  return { ms, startedAt, readBytes, result };
}
let ioSeq = 0;

/** `s3-smart-sync batch -c <config> --json` on one target per volume. */
export async function smartSyncBatch(server: BenchServer, configFile: string, extra: string[] = []): Promise<Timed> {
  return timed(process.execPath, [CLI, "batch", "-c", configFile, "--json", ...extra], server.awsEnv);
}

export function writeConfig(file: string, targets: { volume: string; bucket: string }[], endpoint: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const lines = targets.map((t) => `${t.volume} | ${t.bucket} | | | endpoint=${endpoint}`);
  writeFileSync(file, `# written by bench/\n${lines.join("\n")}\n`);
}

export function awsSync(server: BenchServer, volume: string, bucket: string, extra: string[] = []): Promise<Timed> {
  return timed(server.aws.path, awsSyncArgs(server, volume, bucket, extra), server.awsEnv);
}

export function awsSyncArgs(server: BenchServer, volume: string, bucket: string, extra: string[] = []): string[] {
  return [
    "s3",
    "sync",
    volume,
    `s3://${bucket}/`,
    "--delete",
    "--endpoint-url",
    server.local.endpoint,
    "--only-show-errors",
    ...extra,
  ];
}

export const CLI_PATH = CLI;

/**
 * An `aws` that answers `--version` like aws-cli 2 and does nothing else, printing nothing and exiting 0:
 * what `aws s3 sync` prints when nothing changed, without its minutes of walking and listing a million files.
 */
export function writeNoOpAws(dir: string): string {
  const file = path.join(dir, "aws-no-op");
  writeFileSync(
    file,
    '#!/bin/sh\n[ "$1" = "--version" ] && echo "aws-cli/2.0.0 Python/3 Linux/x86_64 no-op"\nexit 0\n',
    { mode: 0o755 },
  );
  return file;
}

export function rcloneSync(server: BenchServer, volume: string, bucket: string, extra: string[] = []): Promise<Timed> {
  return timed("rclone", ["sync", volume, `local:${bucket}`, ...extra], server.rcloneEnv);
}

/** What the proxy counted: uploaded bytes, request count and a compact `{ op: count }`. */
export function summarizeStats(stats: LocalS3Stats) {
  const requestsByType: Record<string, number> = {};
  for (const [op, s] of Object.entries(stats.ops).sort(([a], [b]) => (a < b ? -1 : 1)))
    if (s && s.count > 0) requestsByType[op] = s.count;
  return { uploadedBytes: stats.uploadedBytes, requests: stats.requests, requestsByType };
}
