// Server-side copy that keeps what `aws s3 sync` and the user care about: bytes, metadata, tags and the
// storage class (CopyObject would default to STANDARD). Every request is conditional on the ETag the
// verifier saw, so a source changed in between makes the copy fail (412) instead of copying other bytes.
// Above the single-copy limit (5 GiB) it is a multipart copy whose metadata comes from a HEAD.

import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type CreateMultipartUploadCommandInput,
  type S3Client,
  type StorageClass,
} from "@aws-sdk/client-s3";
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
  bucket: string;
  srcKey: string;
  dstKey: string;
  ifMatchEtag: string;
  size: number;
  storageClass?: string;
  signal?: AbortSignal;
}

export interface MultipartSettings {
  partSize?: number;
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

export async function copySingle(request: CopyRequest): Promise<{ etag: string }> {
  const { client, bucket, srcKey, dstKey, ifMatchEtag, storageClass, signal } = request;
  const output = await client.send(
    new CopyObjectCommand({
      Bucket: bucket,
      Key: dstKey,
      CopySource: encodeCopySource(bucket, srcKey),
      CopySourceIfMatch: quoted(ifMatchEtag),
      MetadataDirective: "COPY",
      TaggingDirective: "COPY",
      StorageClass: storageClassParam(storageClass),
    }),
    { abortSignal: signal },
  );
  return { etag: stripEtag(output.CopyObjectResult?.ETag) };
}

export async function copyMultipart(request: CopyRequest, settings: MultipartSettings): Promise<{ etag: string }> {
  const { client, bucket, srcKey, dstKey, ifMatchEtag, signal } = request;
  const createInput = await describeSource(request);
  const size = createInput.size;
  const created = await client.send(new CreateMultipartUploadCommand(createInput.input), { abortSignal: signal });
  const uploadId = created.UploadId;
  if (!uploadId) throw new Error("CreateMultipartUpload returned no UploadId");

  try {
    const partSize = choosePartSize(size, settings.threshold, settings.partSize);
    const count = Math.max(1, Math.ceil(size / partSize));
    const parts: CompletedPart[] = new Array(count);
    await runPool(count, settings.concurrency, signal, async (index) => {
      const start = index * partSize;
      const end = Math.min(size, start + partSize) - 1;
      const output = await client.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: dstKey,
          UploadId: uploadId,
          PartNumber: index + 1,
          CopySource: encodeCopySource(bucket, srcKey),
          CopySourceIfMatch: quoted(ifMatchEtag),
          CopySourceRange: size > 0 ? `bytes=${start}-${end}` : undefined,
        }),
        { abortSignal: signal },
      );
      parts[index] = {
        PartNumber: index + 1,
        ETag: output.CopyPartResult?.ETag,
      };
    });
    const completed = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: dstKey,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
      { abortSignal: signal },
    );
    return { etag: stripEtag(completed.ETag) };
  } catch (error) {
    // Not under the caller's signal: an aborted run must still not leave billable parts behind.
    await client
      .send(
        new AbortMultipartUploadCommand({
          Bucket: bucket,
          Key: dstKey,
          UploadId: uploadId,
        }),
      )
      .catch(() => undefined);
    throw error;
  }
}

/** HEAD (conditional on the ETag) and tags of the source, as CreateMultipartUpload parameters. */
async function describeSource(
  request: CopyRequest,
): Promise<{ size: number; input: CreateMultipartUploadCommandInput }> {
  const { client, bucket, srcKey, dstKey, ifMatchEtag, signal } = request;
  const head = await client.send(
    new HeadObjectCommand({
      Bucket: bucket,
      Key: srcKey,
      IfMatch: quoted(ifMatchEtag),
    }),
    {
      abortSignal: signal,
    },
  );
  const input: CreateMultipartUploadCommandInput = {
    Bucket: bucket,
    Key: dstKey,
    ContentType: head.ContentType,
    ContentEncoding: head.ContentEncoding,
    ContentDisposition: head.ContentDisposition,
    ContentLanguage: head.ContentLanguage,
    CacheControl: head.CacheControl,
    Expires: head.Expires,
    Metadata: head.Metadata,
    StorageClass: storageClassParam(head.StorageClass ?? request.storageClass),
    WebsiteRedirectLocation: head.WebsiteRedirectLocation,
  };
  if (head.ServerSideEncryption === "aws:kms" || head.ServerSideEncryption === "aws:kms:dsse") {
    input.ServerSideEncryption = head.ServerSideEncryption;
    input.SSEKMSKeyId = head.SSEKMSKeyId;
    input.BucketKeyEnabled = head.BucketKeyEnabled;
  }
  // Only ask for tags when HEAD says there are some: not every S3-compatible store implements tagging.
  if ((head.TagCount ?? 0) > 0) {
    const tagging = await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: srcKey }), {
      abortSignal: signal,
    });
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
