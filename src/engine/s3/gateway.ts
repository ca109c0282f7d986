// Everything the engine asks of one bucket, with every failure classified into a SmartSyncError. Every
// request goes through one limit (the target's `concurrency`), whatever asks for it: moves, part copies,
// deletes, listings, HEADs.

import {
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  RestoreObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { S3ObjectInfo } from "../types";
import { classifyS3Error, type S3ErrorContext } from "./classify";
import { copyMultipart, copySingle, DEFAULT_MULTIPART_COPY_THRESHOLD, type CopyResult } from "./copy";
import { RequestLimiter } from "./limiter";
import { headObjectInfo, listedObjectInfo } from "./records";

/** S3 requests in flight at once per gateway, unless the target sets `concurrency`. */
export const DEFAULT_CONCURRENCY = 16;
/** DeleteObjects takes at most this many keys. */
export const DELETE_BATCH = 1000;

export interface BucketGatewayOptions {
  /** Objects larger than this use multipart copy; default 5 GiB (CopyObject's limit). */
  multipartCopyThreshold?: number;
  /** Part size for multipart copy; default min(256 MiB, threshold), at least 5 MiB and size/10,000. */
  partSize?: number;
  /** S3 requests in flight at once through this gateway, of every kind; default 16. */
  concurrency?: number;
  /** For messages only. */
  endpoint?: string;
  profile?: string;
}

export interface CopyOptions {
  /** ETag (quotes optional) the source must still have. */
  ifMatchEtag: string;
  size: number;
  /** The source's storage class, kept on the copy (across buckets: the class aws would upload with). */
  storageClass?: string;
  /** The source's bucket, when it is not this gateway's (a file moved between targets). */
  sourceBucket?: string;
  /**
   * The names whose Content-Types a move goes between (default: the source and destination keys); null
   * keeps the source's type as it is (a copy to or from a temporary key, which is only half a move).
   */
  typeNames?: { from: string; to: string } | null;
  /**
   * The source has the bucket's default encryption (the DB saw aws or a plain copy of ours write it): no
   * SSE-KMS settings to repeat, so a copy that keeps the type needs no HEAD of it.
   */
  defaultSse?: boolean;
  signal?: AbortSignal;
}

/** A key DeleteObjects reported it could not delete. */
export interface DeleteFailure {
  key: string;
  message: string;
}

export type RestoreTier = "Bulk" | "Standard" | "Expedited";
export type RestoreOutcome = "started" | "in-progress" | "already-restored" | "not-archived";

export class BucketGateway {
  readonly client: S3Client;
  readonly bucket: string;
  readonly limiter: RequestLimiter;
  private readonly options: BucketGatewayOptions;

  constructor(client: S3Client, bucket: string, options: BucketGatewayOptions = {}) {
    this.client = client;
    this.bucket = bucket;
    this.options = options;
    this.limiter = new RequestLimiter(options.concurrency ?? DEFAULT_CONCURRENCY);
  }

  /** Runs one SDK request in a slot of the limit; a request waiting for a slot can be aborted. */
  private send<T>(request: (abortSignal?: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.limiter.run(() => request(signal), signal);
  }

  /**
   * Proves the bucket exists and the credentials may list it, before any planning, and tells whether the
   * prefix holds any object (an empty volume must not be synced over a full prefix).
   */
  async checkAccess(prefix: string): Promise<{ empty: boolean }> {
    try {
      const page = await this.send(() =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: prefix,
            MaxKeys: 1,
          }),
        ),
      );
      return { empty: (page.KeyCount ?? page.Contents?.length ?? 0) === 0 };
    } catch (error) {
      throw this.classify(error);
    }
  }

  /** Every object under the prefix, keys exactly as stored (no normalisation). */
  async listAll(
    prefix: string,
    options: { signal?: AbortSignal; onPage?: (count: number) => void } = {},
  ): Promise<S3ObjectInfo[]> {
    const objects: S3ObjectInfo[] = [];
    await this.listEach(prefix, (object) => objects.push(object), options);
    return objects;
  }

  /** Every object under `prefix`, in S3's key order, handed over as each page arrives (none is kept here). */
  async listEach(
    prefix: string,
    onObject: (object: S3ObjectInfo) => void,
    options: { signal?: AbortSignal; onPage?: (count: number) => void } = {},
  ): Promise<void> {
    let token: string | undefined;
    let count = 0;
    try {
      do {
        // EncodingType=url as aws-cli requests it: XML 1.0 cannot carry some characters keys may hold.
        const page = await this.send(
          (abortSignal) =>
            this.client.send(
              new ListObjectsV2Command({
                Bucket: this.bucket,
                Prefix: prefix,
                ContinuationToken: token,
                EncodingType: "url",
              }),
              { abortSignal },
            ),
          options.signal,
        );
        for (const object of page.Contents ?? []) {
          onObject(listedObjectInfo(object, page.EncodingType));
          count++;
        }
        options.onPage?.(count);
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (error) {
      throw this.classify(error);
    }
  }

  /** The object's facts, or null when it does not exist. */
  async head(key: string, options: { signal?: AbortSignal } = {}): Promise<S3ObjectInfo | null> {
    try {
      const output = await this.send(
        (abortSignal) => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }),
        options.signal,
      );
      return headObjectInfo(key, output);
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw this.classify(error, { key });
    }
  }

  /**
   * The object's full-object CRC64NVME (base64), when it has one (HEAD in checksum mode); undefined when it
   * has none, a composite one, or does not exist.
   */
  async fullObjectCrc64(key: string, options: { signal?: AbortSignal } = {}): Promise<string | undefined> {
    try {
      const output = await this.send(
        (abortSignal) =>
          this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key, ChecksumMode: "ENABLED" }), {
            abortSignal,
          }),
        options.signal,
      );
      if (!output.ChecksumCRC64NVME || output.ChecksumType === "COMPOSITE") return undefined;
      return output.ChecksumCRC64NVME;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.classify(error, { key });
    }
  }

  /**
   * Server-side copy conditional on the source's ETag. Throws SourceChangedError (412),
   * ObjectArchivedError (archived source) or SourceMissingError (no source).
   */
  async copyObject(srcKey: string, dstKey: string, options: CopyOptions): Promise<CopyResult> {
    const threshold = this.options.multipartCopyThreshold ?? DEFAULT_MULTIPART_COPY_THRESHOLD;
    const request = {
      client: this.client,
      limit: <T>(task: () => Promise<T>) => this.limiter.run(task, options.signal),
      bucket: this.bucket,
      srcKey,
      dstKey,
      ...options,
    };
    try {
      if (options.size <= threshold) return await copySingle(request);
      return await copyMultipart(request, {
        threshold,
        partSize: this.options.partSize,
        concurrency: this.limiter.limit,
      });
    } catch (error) {
      throw this.classify(error, {
        key: srcKey,
        storageClass: options.storageClass,
        etag: options.ifMatchEtag,
      });
    }
  }

  /**
   * One DeleteObjects request for up to 1,000 keys (quiet: S3 answers with the failures only). A key S3
   * could not delete is returned, not thrown; a failed request throws like any other.
   */
  async deleteObjects(keys: readonly string[], options: { signal?: AbortSignal } = {}): Promise<DeleteFailure[]> {
    if (keys.length === 0) return [];
    if (keys.length > DELETE_BATCH) throw new RangeError(`DeleteObjects takes at most ${DELETE_BATCH} keys`);
    try {
      const output = await this.send(
        (abortSignal) =>
          this.client.send(
            new DeleteObjectsCommand({
              Bucket: this.bucket,
              Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
            }),
            { abortSignal },
          ),
        options.signal,
      );
      return (output.Errors ?? []).map((e) => ({
        key: e.Key ?? "",
        message: `${e.Code ?? "Error"}: ${e.Message ?? "not deleted"}`,
      }));
    } catch (error) {
      throw this.classify(error, { key: keys.length === 1 ? keys[0] : undefined });
    }
  }

  /** Starts a restore of an archived object; a restore already running is not an error. */
  async restoreObject(
    key: string,
    options: { tier: RestoreTier; days: number; storageClass?: string },
  ): Promise<RestoreOutcome> {
    // Intelligent-Tiering archive tiers move the object back in place: S3 rejects Days for them.
    const days = options.storageClass === "INTELLIGENT_TIERING" ? undefined : options.days;
    try {
      const output = await this.send(() =>
        this.client.send(
          new RestoreObjectCommand({
            Bucket: this.bucket,
            Key: key,
            RestoreRequest: {
              Days: days,
              GlacierJobParameters: { Tier: options.tier },
            },
          }),
        ),
      );
      // 202: restore started; 200: a restored copy exists already (its expiry is extended).
      return output.$metadata.httpStatusCode === 200 ? "already-restored" : "started";
    } catch (error) {
      const code = codeOf(error);
      if (code === "RestoreAlreadyInProgress") return "in-progress";
      if (code === "InvalidObjectState") return "not-archived";
      throw this.classify(error, { key });
    }
  }

  classify(error: unknown, extra: Partial<S3ErrorContext> = {}) {
    return classifyS3Error(error, {
      bucket: this.bucket,
      endpoint: this.options.endpoint,
      profile: this.options.profile,
      ...extra,
    });
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

function codeOf(error: unknown): string | undefined {
  const e = error as { name?: string; Code?: string } | null;
  return e?.Code ?? e?.name;
}
