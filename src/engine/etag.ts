// What an S3 ETag proves about an object's bytes, without downloading it (DESIGN.md; issue "Renames found even
// when inodes lie"). A single-part upload's ETag is the MD5 of its bytes; a multipart upload's is the MD5 of
// its parts' MD5s, "-", the part count: the file proves equal once its parts are hashed at the part size
// the uploader used. That size is not stored, so it is recovered from the count: aws CLI 1.x and 2.x (and
// boto3) use 8 MiB and double it until the file fits in 10,000 parts; other tools' sizes come from the config.
// Objects encrypted with SSE-KMS or SSE-C have ETags that are not MD5s: they never prove equal, so the file
// is uploaded (never a false match).
import { createHash } from "node:crypto";

const MIB = 1024 * 1024;
/** multipart_chunksize of the aws CLI and boto3. */
export const AWS_CLI_PART_SIZE = 8 * MIB;
export const MAX_PARTS = 10_000;
export const MIN_PART_SIZE = 5 * MIB;
export const MAX_PART_SIZE = 5 * 1024 * MIB;
/** Part sizes of other common uploaders (rclone 5 MiB, MinIO's mc 16 MiB), tried after the aws CLI's. */
const OTHER_TOOLS_PART_SIZES = [5 * MIB, 16 * MIB];
/** Each candidate part size is one more MD5 over the file: a few at most. */
const MAX_CANDIDATES = 4;

export type EtagForm =
  { kind: "md5"; md5: string } | { kind: "multipart"; etag: string; parts: number } | { kind: "unknown" };

export function parseEtag(etag: string): EtagForm {
  const bare = etag.replace(/^"|"$/g, "").toLowerCase();
  if (/^[0-9a-f]{32}$/.test(bare)) return { kind: "md5", md5: bare };
  const multipart = /^([0-9a-f]{32})-(\d+)$/.exec(bare);
  if (multipart) return { kind: "multipart", etag: bare, parts: Number(multipart[2]) };
  return { kind: "unknown" };
}

function partsFor(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

/** The aws CLI's part size for a file of `size` (s3transfer's ChunksizeAdjuster). */
export function awsCliPartSize(size: number, configured = AWS_CLI_PART_SIZE): number {
  let partSize = Math.min(MAX_PART_SIZE, Math.max(MIN_PART_SIZE, configured));
  while (partsFor(size, partSize) > MAX_PARTS) partSize *= 2;
  return partSize;
}

/**
 * Part sizes that would split `size` bytes into exactly `parts` parts, most likely first: the aws CLI's,
 * then those of the config, then other tools' defaults, then MiB-aligned sizes in the range that fits.
 */
export function partSizeCandidates(size: number, parts: number, configured: readonly number[] = []): number[] {
  const preferred = [awsCliPartSize(size), ...configured.map((p) => awsCliPartSize(size, p)), ...configured];
  preferred.push(...OTHER_TOOLS_PART_SIZES);
  const candidates: number[] = [];
  const add = (partSize: number) => {
    if (candidates.length >= MAX_CANDIDATES || candidates.includes(partSize)) return;
    if (partSize >= 1 && partsFor(size, partSize) === parts) candidates.push(partSize);
  };
  for (const partSize of preferred) add(partSize);
  if (parts > 1) {
    // ceil(size / p) = parts  ⇔  size / parts ≤ p < size / (parts - 1)
    const low = Math.ceil(size / parts / MIB);
    const high = Math.ceil(size / (parts - 1) / MIB) - 1;
    for (let mib = low; mib <= high && candidates.length < MAX_CANDIDATES; mib++) add(mib * MIB);
  }
  return candidates;
}

/** The ETag S3 gives a multipart upload with these part MD5s. */
export function multipartEtag(partMd5s: readonly Buffer[]): string {
  const md5 = createHash("md5");
  for (const part of partMd5s) md5.update(part);
  return `${md5.digest("hex")}-${partMd5s.length}`;
}
