// S3 clients, one per (profile, region, endpoint, addressing style), cached like the amazon-aws
// extension's client cache: a client holds the keep-alive sockets and the resolved credentials.
// Credentials come from the SDK's default chain (env, SSO, ini profile, process, IMDS) with the
// target's profile passed in, never from process.env written by the UI.

import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { rootCertificates } from "node:tls";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

export interface S3ClientOptions {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  /** Defaults to true when endpointUrl is set (local and S3-compatible servers). */
  forcePathStyle?: boolean;
  /** Attempts per request in the SDK's standard retry mode (backoff with jitter); default 5. */
  maxAttempts?: number;
  /** Static credentials, for S3-compatible stores and tests; the default chain is used otherwise. */
  credentials?: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  };
}

export const DEFAULT_REGION = "us-east-1";
export const DEFAULT_MAX_ATTEMPTS = 5;

const clients = new Map<string, S3Client>();

export function getS3Client(options: S3ClientOptions = {}): S3Client {
  const forcePathStyle = options.forcePathStyle ?? options.endpointUrl !== undefined;
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const cacheKey = JSON.stringify([
    options.profile ?? null,
    options.region ?? null,
    options.endpointUrl ?? null,
    forcePathStyle,
    maxAttempts,
    options.credentials?.accessKeyId ?? null,
  ]);
  let client = clients.get(cacheKey);
  if (!client) {
    client = new S3Client(clientConfig(options, forcePathStyle, maxAttempts));
    clients.set(cacheKey, client);
  }
  return client;
}

/** Closes every cached client's sockets (end of a run, tests). */
export function clearS3ClientCache(): void {
  for (const client of clients.values()) client.destroy();
  clients.clear();
}

function clientConfig(options: S3ClientOptions, forcePathStyle: boolean, maxAttempts: number): S3ClientConfig {
  const config: S3ClientConfig = {
    region: options.region ?? memoize(() => resolveRegion(options.profile)),
    forcePathStyle,
    maxAttempts,
    retryMode: "standard",
    requestHandler: {
      connectionTimeout: 10_000,
      // Idle socket limit, not a total: S3 keeps long copies alive with whitespace.
      requestTimeout: 300_000,
      httpsAgent: new Agent({
        keepAlive: true,
        maxSockets: 64,
        ca: caBundle(),
      }),
    },
  };
  if (options.profile) config.profile = options.profile;
  if (options.endpointUrl) {
    config.endpoint = options.endpointUrl;
    // Many S3-compatible stores reject the newer default CRC checksums.
    config.requestChecksumCalculation = "WHEN_REQUIRED";
    config.responseChecksumValidation = "WHEN_REQUIRED";
  }
  if (options.credentials) config.credentials = options.credentials;
  return config;
}

/** Region from the profile or environment as the SDK resolves it, else us-east-1 (what aws-cli does). */
async function resolveRegion(profile?: string): Promise<string> {
  const probe = new S3Client(profile ? { profile } : {});
  try {
    return await probe.config.region();
  } catch {
    return DEFAULT_REGION;
  } finally {
    probe.destroy();
  }
}

function memoize<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
}

// aws-cli honours AWS_CA_BUNDLE and the JS SDK does not; add it to Node's roots so both trust the same proxies.
let bundle: string[] | undefined;
function caBundle(): string[] | undefined {
  const file = process.env.AWS_CA_BUNDLE;
  if (!file) return undefined;
  try {
    bundle ??= [...rootCertificates, readFileSync(file, "utf8")];
    return bundle;
  } catch {
    return undefined;
  }
}
