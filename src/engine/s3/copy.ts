// Server-side copy that keeps what `aws s3 sync` and the user care about: bytes, metadata, tags, the
// storage class (CopyObject would default to STANDARD) and SSE-KMS settings (CopyObject would fall back to the
// bucket's default encryption), and ends with the Content-Type a fresh aws upload of the new name would get.
// Every request is conditional on the ETag the verifier saw, so a source changed in between makes the copy
// fail (412) instead of copying other bytes. A HEAD of the source tells its class, encryption and type;
// above the single-copy limit (5 GiB) it is a multipart copy whose metadata comes from that HEAD. A
// single-part copy that keeps the type skips the HEAD when the source's encryption is known to be the
// bucket's default (or does not carry over, across buckets): the listing gave its class, COPY keeps the rest.

import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type CopyObjectCommandInput,
  type CreateMultipartUploadCommandInput,
  type HeadObjectCommandOutput,
  type S3Client,
  type StorageClass,
} from "@aws-sdk/client-s3";
import { guessContentType } from "./content-type";
import type { Limit } from "./limiter";
import { stripEtag } from "./records";

export const MIB = 1024 * 1024;
export const GIB = 1024 * MIB;
/** CopyObject's limit. */
export const DEFAULT_MULTIPART_COPY_THRESHOLD = 5 * GIB;
const MIN_PART_SIZE = 5 * MIB;
const MAX_PART_SIZE = 5 * GIB;
const MAX_PARTS = 10_000;
const DEFAULT_PART_SIZE = 256 * MIB;

export interface CopyRequest {
  client: S3Client;
  /** Every request of the copy goes through the gateway's one request limit. */
  limit: Limit;
  bucket: string;
  /** The source's bucket when it is another one (a file moved between targets); default: `bucket`. */
  sourceBucket?: string;
  srcKey: string;
  dstKey: string;
  ifMatchEtag: string;
  size: number;
  storageClass?: string;
  /** See CopyOptions.typeNames. */
  typeNames?: { from: string; to: string } | null;
  /** See CopyOptions.defaultSse. */
  defaultSse?: boolean;
  signal?: AbortSignal;
}

export interface CopyResult {
  etag: string;
  /** Copied without encryption settings: the new object has the bucket's default encryption. */
  defaultSse: boolean;
}

export interface MultipartSettings {
  partSize?: number;
  /** Parts requested at once; each still waits for a slot of the request limit. */
  concurrency: number;
  threshold: number;
}

/** `bucket/seg/seg` with each key segment URL-encoded, the form S3 decodes back to the exact key. */
export function encodeCopySource(bucket: string, key: string): string {
  return bucket + "/" + key.split("/").map(encodeURIComponent).join("/");
}

/** At most 10,000 parts, each between 5 MiB and 5 GiB. */
export function choosePartSize(size: number, threshold: number, partSize?: number): number {
  const wanted = partSize ?? Math.min(DEFAULT_PART_SIZE, threshold);
  return Math.min(MAX_PART_SIZE, Math.max(MIN_PART_SIZE, wanted, Math.ceil(size / MAX_PARTS)));
}

function quoted(etag: string): string {
  return `"${stripEtag(etag)}"`;
}

function storageClassParam(storageClass: string | undefined): StorageClass | undefined {
  return storageClass && storageClass !== "STANDARD" ? (storageClass as StorageClass) : undefined;
}

/**
 * The Content-Type the copy must get, when moving changes the type aws would give the name (`song.wav` →
 * `song.flac`) and the source does not have it already: `{ type: undefined }` means "none", as aws sends
 * none for a name Python cannot type. null: the source's Content-Type stays.
 */
export function contentTypeChange(
  srcKey: string,
  dstKey: string,
  current: string | undefined,
): { type: string | undefined } | null {
  const before = guessContentType(srcKey);
  const after = guessContentType(dstKey);
  if (before === after || (after !== undefined && after === current)) return null;
  return { type: after };
}

/** The names whose types a copy goes between; null for a temporary key's copy, which changes none. */
function typeNamesOf(request: CopyRequest): { from: string; to: string } | null {
  if (request.typeNames === null) return null;
  return request.typeNames ?? { from: request.srcKey, to: request.dstKey };
}

/** The type change a copy makes, from the request's names. */
function typeChangeOf(request: CopyRequest, head: HeadObjectCommandOutput) {
  const names = typeNamesOf(request);
  return names && contentTypeChange(names.from, names.to, head.ContentType);
}

/** Names of different types: the source's Content-Type (and the metadata REPLACE must repeat) is needed. */
function mayChangeType(request: CopyRequest): boolean {
  const names = typeNamesOf(request);
  return names !== null && guessContentType(names.from) !== guessContentType(names.to);
}

/** What only a HEAD can tell a single-part copy: an SSE-KMS key to repeat, or the type and metadata to replace. */
function needsHead(request: CopyRequest): boolean {
  return mayChangeType(request) || !(request.defaultSse === true || isCrossBucket(request));
}

/** The source's SSE-KMS settings: without them a copy gets the bucket's default encryption instead. */
function encryptionOf(head: HeadObjectCommandOutput) {
  if (head.ServerSideEncryption !== "aws:kms" && head.ServerSideEncryption !== "aws:kms:dsse") return {};
  return {
    ServerSideEncryption: head.ServerSideEncryption,
    SSEKMSKeyId: head.SSEKMSKeyId,
    BucketKeyEnabled: head.BucketKeyEnabled,
  };
}

/** Storage class and encryption of the copy: the source's within a bucket; across buckets, an upload's. */
function placementOf(request: CopyRequest, head: HeadObjectCommandOutput, storageClass: string | undefined) {
  if (isCrossBucket(request)) return { StorageClass: storageClassParam(storageClass) };
  return { StorageClass: storageClassParam(head.StorageClass ?? storageClass), ...encryptionOf(head) };
}

/** What REPLACE (and CreateMultipartUpload) must repeat to keep the source's metadata. */
function metadataOf(head: HeadObjectCommandOutput) {
  return {
    ContentType: head.ContentType,
    ContentEncoding: head.ContentEncoding,
    ContentDisposition: head.ContentDisposition,
    ContentLanguage: head.ContentLanguage,
    CacheControl: head.CacheControl,
    Expires: head.Expires,
    Metadata: head.Metadata,
    WebsiteRedirectLocation: head.WebsiteRedirectLocation,
  };
}

function sourceBucketOf(request: CopyRequest): string {
  return request.sourceBucket ?? request.bucket;
}

/**
 * A copy from another bucket stands for the upload aws would make to this one: the destination bucket's own
 * default encryption and the class aws would upload with, not the source's.
 */
function isCrossBucket(request: CopyRequest): boolean {
  return request.sourceBucket !== undefined && request.sourceBucket !== request.bucket;
}

/** HEAD of the source, conditional on the verified ETag (412 when it changed). */
function headSource(request: CopyRequest): Promise<HeadObjectCommandOutput> {
  const { client, limit, srcKey, ifMatchEtag, signal } = request;
  return limit(() =>
    client.send(new HeadObjectCommand({ Bucket: sourceBucketOf(request), Key: srcKey, IfMatch: quoted(ifMatchEtag) }), {
      abortSignal: signal,
    }),
  );
}

export async function copySingle(request: CopyRequest): Promise<CopyResult> {
  const { client, limit, bucket, srcKey, dstKey, ifMatchEtag, storageClass, signal } = request;
  const head = needsHead(request) ? await headSource(request) : undefined;
  const input: CopyObjectCommandInput = {
    Bucket: bucket,
    Key: dstKey,
    CopySource: encodeCopySource(sourceBucketOf(request), srcKey),
    CopySourceIfMatch: quoted(ifMatchEtag),
    MetadataDirective: "COPY",
    TaggingDirective: "COPY",
    ...(head ? placementOf(request, head, storageClass) : { StorageClass: storageClassParam(storageClass) }),
  };
  const change = head && typeChangeOf(request, head);
  // REPLACE takes all metadata from the request: repeat the source's, with the new type.
  if (change) Object.assign(input, { ...metadataOf(head), ContentType: change.type, MetadataDirective: "REPLACE" });
  const output = await limit(() => client.send(new CopyObjectCommand(input), { abortSignal: signal }));
  return { etag: stripEtag(output.CopyObjectResult?.ETag), defaultSse: input.ServerSideEncryption === undefined };
}

export async function copyMultipart(request: CopyRequest, settings: MultipartSettings): Promise<CopyResult> {
  const { client, limit, bucket, srcKey, dstKey, ifMatchEtag, signal } = request;
  const createInput = await describeSource(request);
  const size = createInput.size;
  const created = await limit(() =>
    client.send(new CreateMultipartUploadCommand(createInput.input), { abortSignal: signal }),
  );
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error("CreateMultipartUpload returned no UploadId");

  try {
    const partSize = choosePartSize(size, settings.threshold, settings.partSize);
    const count = Math.max(1, Math.ceil(size / partSize));
    const parts: CompletedPart[] = new Array(count);
    await runPool(count, settings.concurrency, signal, async (index) => {
      const start = index * partSize;
      const end = Math.min(size, start + partSize) - 1;
      const output = await limit(() =>
        client.send(
          new UploadPartCopyCommand({
            Bucket: bucket,
            Key: dstKey,
            UploadId: uploadId,
            PartNumber: index + 1,
            CopySource: encodeCopySource(sourceBucketOf(request), srcKey),
            CopySourceIfMatch: quoted(ifMatchEtag),
            CopySourceRange: size > 0 ? `bytes=${start}-${end}` : undefined,
          }),
          { abortSignal: signal },
        ),
      );
      parts[index] = {
        PartNumber: index + 1,
        ETag: output.CopyPartResult?.ETag,
      };
    });
    const completed = await limit(() =>
      client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: dstKey,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
        { abortSignal: signal },
      ),
    );
    return { etag: stripEtag(completed.ETag), defaultSse: createInput.input.ServerSideEncryption === undefined };
  } catch (error) {
    // Not under the caller's signal: an aborted run must still not leave billable parts behind.
    await limit(() =>
      client.send(
        new AbortMultipartUploadCommand({
          Bucket: bucket,
          Key: dstKey,
          UploadId: uploadId,
        }),
      ),
    ).catch(() => undefined);
    throw error;
  }
}

/** HEAD (conditional on the ETag) and tags of the source, as CreateMultipartUpload parameters. */
async function describeSource(
  request: CopyRequest,
): Promise<{ size: number; input: CreateMultipartUploadCommandInput }> {
  const { client, limit, bucket, srcKey, dstKey, signal } = request;
  const head = await headSource(request);
  const input: CreateMultipartUploadCommandInput = {
    Bucket: bucket,
    Key: dstKey,
    ...metadataOf(head),
    ...placementOf(request, head, request.storageClass),
  };
  const change = typeChangeOf(request, head);
  if (change) input.ContentType = change.type;
  // Only ask for tags when HEAD says there are some: not every S3-compatible store implements tagging.
  if ((head.TagCount ?? 0) > 0) {
    const tagging = await limit(() =>
      client.send(new GetObjectTaggingCommand({ Bucket: sourceBucketOf(request), Key: srcKey }), {
        abortSignal: signal,
      }),
    );
    const tags = (tagging.TagSet ?? []).map(
      (tag) => `${encodeURIComponent(tag.Key ?? "")}=${encodeURIComponent(tag.Value ?? "")}`,
    );
    if (tags.length > 0) input.Tagging = tags.join("&");
  }
  return { size: head.ContentLength ?? request.size, input };
}

/** Runs task(0..count-1) with at most `limit` in flight; stops starting new ones after the first failure. */
async function runPool(
  count: number,
  limit: number,
  signal: AbortSignal | undefined,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < count) {
      signal?.throwIfAborted();
      const index = next++;
      try {
        await task(index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(Math.max(1, limit), count) }, worker));
  const rejected = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (rejected) throw rejected.reason;
}
