// Client of the control API the local S3 child serves under /__control/ on its proxy endpoint.

export type S3Operation =
  | "PutObject"
  | "UploadPart"
  | "UploadPartCopy"
  | "CreateMultipartUpload"
  | "CompleteMultipartUpload"
  | "AbortMultipartUpload"
  | "ListParts"
  | "ListMultipartUploads"
  | "CopyObject"
  | "DeleteObject"
  | "DeleteObjects"
  | "HeadObject"
  | "GetObject"
  | "GetObjectAttributes"
  | "ListObjectsV2"
  | "ListObjects"
  | "ListBuckets"
  | "HeadBucket"
  | "CreateBucket"
  | "DeleteBucket"
  | "GetBucketLocation"
  | "RestoreObject"
  | "PutObjectTagging"
  | "GetObjectTagging"
  | "DeleteObjectTagging"
  | (string & {});

export interface OperationStats {
  count: number;
  /** Request-body bytes received over the wire (aws-chunked framing included). */
  bytes: number;
}

export interface LocalS3Stats {
  requests: number;
  /** Body bytes of PutObject + UploadPart requests. */
  uploadedBytes: number;
  requestBytes: number;
  /** Most S3 requests the server had in progress at once since the last reset. */
  peakInFlight: number;
  ops: Partial<Record<S3Operation, OperationStats>>;
}

export type FaultAction = "SlowDown" | "InternalError" | "drop" | "hang";

export interface RequestLogEntry {
  seq: number;
  op: S3Operation;
  bucket: string;
  key: string;
  /** HTTP status sent; 0 when the connection was dropped or never answered. */
  status: number;
  bytes: number;
  /** When the request arrived (epoch ms) and how long until its answer was sent (0 if never). */
  at: number;
  ms: number;
  fault?: FaultAction;
  /** CopyObject / UploadPartCopy: the decoded copy source. */
  source?: { bucket: string; key: string };
  /** DeleteObjects: the keys the batch asked to delete. */
  keys?: string[];
  /** CopyObject, CreateMultipartUpload, PutObject: the server-side encryption the request asked for. */
  sse?: ServerSideEncryption;
  /** CopyObject: the x-amz-metadata-directive sent. */
  metadataDirective?: string;
  /** CopyObject, CreateMultipartUpload: the Content-Type header sent. */
  contentType?: string;
}

export interface ServerSideEncryption {
  algorithm: string;
  kmsKeyId?: string;
  bucketKeyEnabled?: boolean;
}

export interface Faults {
  /** Seed of the PRNG behind the rates (default 1): the same seed gives the same failures. */
  seed?: number;
  /** Share (0..1) of requests answered 503 SlowDown. */
  slowDownRate?: number;
  /** Share (0..1) of requests answered 500 InternalError. */
  internalErrorRate?: number;
  /** Share (0..1) of requests whose connection is destroyed before any answer. */
  dropRate?: number;
  /** Delay added before each request is handled. */
  latencyMs?: number;
  /** Only these operations are affected (and counted by failAfterRequests). */
  operations?: S3Operation[];
  /** Requests after the first N fail with `failMode` ("network down"). */
  failAfterRequests?: number;
  failMode?: "drop" | "SlowDown" | "InternalError" | "hang";
  /** Never answer (until clearFaults/setFaults, which drop the held connections). */
  hang?: boolean;
}

/** Network shaping (benchmarks): see network.mjs. Every field optional; `{}` is loopback as it is. */
export interface NetworkShape {
  /** Round trip added to every request/response exchange. */
  rttMs?: number;
  /** Extra round trips on the first request of a connection (TCP + TLS handshakes; 2 for TLS 1.3). */
  connectRtts?: number;
  /** Upload bandwidth shared by all connections, in megabits per second (request bodies). */
  upMbps?: number;
}

/** Requests signed with this access key id get 403 InvalidAccessKeyId, as S3 answers an unknown key. */
export const INVALID_ACCESS_KEY_ID = "INVALIDKEY";

export type ArchiveStatus = "ARCHIVE_ACCESS" | "DEEP_ARCHIVE_ACCESS";

export interface ObjectInfo {
  key: string;
  size: number;
  etag: string;
  lastModified: string;
  storageClass: string;
  archiveStatus?: ArchiveStatus;
  restore?: { ongoing: boolean; expiry?: string };
  tags: Record<string, string>;
  metadata: Record<string, string>;
  contentType?: string;
  /** Kept from the write that made the object (the server does not encrypt). */
  sse?: ServerSideEncryption;
}

export interface LocalS3Control {
  /** The proxy endpoint the control calls go to. */
  endpoint: string;
  stats(): Promise<LocalS3Stats>;
  /** Resets the stats and the request log. */
  resetStats(): Promise<void>;
  requests(): Promise<RequestLogEntry[]>;
  setFaults(faults: Faults): Promise<void>;
  clearFaults(): Promise<void>;
  /** Shapes every following request like a real link (`{}` turns shaping off). */
  setNetwork(shape: NetworkShape): Promise<void>;
  createBucket(name: string): Promise<void>;
  emptyBucket(name: string): Promise<void>;
  /** Benchmarks: empty objects at these keys, stored directly (no request per key, nothing counted). */
  /** Objects stored directly (benchmarks), empty or each holding `body`. */
  putEmptyObjects(bucket: string, keys: string[], body?: string): Promise<void>;
  /** Marks an existing object (e.g. GLACIER, or INTELLIGENT_TIERING with an archive tier). */
  setStorageClass(bucket: string, key: string, storageClass: string, archiveStatus?: ArchiveStatus): Promise<void>;
  completeRestore(bucket: string, key: string): Promise<void>;
  /** Restores complete by themselves after this delay; undefined = only through completeRestore. */
  setRestoreDelay(ms: number | undefined): Promise<void>;
  /**
   * Puts a bucket in another region: requests for it signed for any other region get S3's 400
   * AuthorizationHeaderMalformed naming the region (and x-amz-bucket-region). undefined undoes it.
   */
  setBucketRegion(bucket: string, region: string | undefined): Promise<void>;
  /** What the server holds for a key (storage class, restore state, tags), or undefined. */
  objectInfo(bucket: string, key: string): Promise<ObjectInfo | undefined>;
}

async function call<T>(endpoint: string, name: string, args: object = {}): Promise<T> {
  const res = await fetch(`${endpoint}/__control/${name}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(args),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`local-s3 control ${name} failed (${res.status}): ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** The control client of an already running local S3 server (any process). */
export function connectLocalS3(endpoint: string): LocalS3Control {
  const base = endpoint.replace(/\/+$/, "");
  return {
    endpoint: base,
    stats: () => call(base, "stats"),
    resetStats: () => call(base, "reset-stats"),
    requests: () => call(base, "requests"),
    setFaults: (faults) => call(base, "set-faults", faults),
    clearFaults: () => call(base, "clear-faults"),
    setNetwork: (shape) => call(base, "set-network", shape),
    createBucket: (name) => call(base, "create-bucket", { name }),
    emptyBucket: (name) => call(base, "empty-bucket", { name }),
    putEmptyObjects: (bucket, keys, body) => call(base, "put-empty-objects", { bucket, keys, body }),
    setStorageClass: (bucket, key, storageClass, archiveStatus) =>
      call(base, "set-storage-class", { bucket, key, storageClass, archiveStatus }),
    completeRestore: (bucket, key) => call(base, "complete-restore", { bucket, key }),
    setRestoreDelay: (ms) => call(base, "configure", { restoreDelayMs: ms ?? null }),
    setBucketRegion: (bucket, region) => call(base, "set-bucket-region", { bucket, region: region ?? null }),
    objectInfo: async (bucket, key) => (await call<ObjectInfo | null>(base, "object", { bucket, key })) ?? undefined,
  };
}
