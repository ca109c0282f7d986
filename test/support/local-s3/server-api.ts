// Local S3-compatible server for tests, the demo and benchmarks: fauxqs 2.4.1 in a child process,
// patched to S3's byte-order listing, behind a proxy that counts, logs, injects faults and emulates
// the S3 behaviours fauxqs lacks (conditional copies/puts, storage classes, Glacier restores, tags).
// See test/server/local-s3.test.ts for what is pinned. No vitest here: scripts (demo, bench) import
// this file; tests import test/support/local-s3, which adds useLocalS3().
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectLocalS3, type LocalS3Control } from "./control";
import { spawnLocalS3 } from "./process";

export { connectLocalS3 } from "./control";
export type {
  ArchiveStatus,
  FaultAction,
  Faults,
  LocalS3Control,
  LocalS3Stats,
  NetworkShape,
  ObjectInfo,
  OperationStats,
  RequestLogEntry,
  S3Operation,
} from "./control";

export interface LocalS3 extends LocalS3Control {
  /** The proxy: use this for everything (counted, logged, faults, emulations). */
  endpoint: string;
  /** fauxqs directly (byte-order listing, but no emulations, faults or accounting). */
  serverEndpoint: string;
  pid: number;
  stop(): Promise<void>;
}

export interface LocalS3Options {
  buckets?: string[];
}

const configDirs = new Map<string, string>();

export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const child = await spawnLocalS3(options.buckets ?? []);
  const control = connectLocalS3(child.endpoint);
  return {
    ...control,
    endpoint: child.endpoint,
    serverEndpoint: child.serverEndpoint,
    pid: child.pid,
    async stop() {
      await child.stop();
      const dir = configDirs.get(child.endpoint);
      if (dir) rmSync(dir, { recursive: true, force: true });
      configDirs.delete(child.endpoint);
    },
  };
}

/** Options for `new S3Client(...)` against the local server (path style, dummy credentials). */
export function s3ClientConfig(local: Pick<LocalS3, "endpoint">) {
  return {
    endpoint: local.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "local", secretAccessKey: "local-secret" },
    // The tests' own checks (seeding, reading the bucket back) ride out a connection reset on a loaded
    // machine; the engine keeps its own retry settings.
    maxAttempts: 6,
  };
}

/** For engine runs in the test's own process: the SDK's default credential chain finds the server's keys. */
export function useServerKeysInProcess(): void {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local-secret",
    AWS_REGION: "us-east-1",
  });
}

/**
 * Environment for running the real aws CLI against the server. The endpoint itself must still be
 * passed as `--endpoint-url local.endpoint` (aws-cli 1.x ignores AWS_ENDPOINT_URL).
 */
export function awsEnv(local: Pick<LocalS3, "endpoint">, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  let dir = configDirs.get(local.endpoint);
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), "local-s3-aws-"));
    writeFileSync(join(dir, "config"), "[default]\ns3 =\n    addressing_style = path\n");
    writeFileSync(join(dir, "credentials"), "");
    configDirs.set(local.endpoint, dir);
  }
  return {
    ...process.env,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local-secret",
    AWS_SESSION_TOKEN: undefined,
    AWS_SECURITY_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_DEFAULT_PROFILE: undefined,
    AWS_ENDPOINT_URL: undefined,
    AWS_ENDPOINT_URL_S3: undefined,
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_CONFIG_FILE: join(dir, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_PAGER: "",
    ...extra,
  };
}
