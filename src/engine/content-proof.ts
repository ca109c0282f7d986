// Proof that a local file holds exactly an object's bytes, from the object's ETag or checksum and hashes
// of the file: no download. Pure: which hashes a proof needs, and whether the hashes prove it.
import { parseEtag, partSizeCandidates } from "./etag";
import type { DigestRequest, FileDigests } from "./file-digest";

/** What S3 tells about an object's content without sending it. */
export interface ObjectFingerprint {
  size: number;
  etag: string;
  /** Base64 CRC64NVME of the whole object, when HEAD (checksum mode) returned a full-object one. */
  crc64nvme?: string;
}

export type ProofKind = "md5" | "multipart-etag" | "crc64nvme";

/** The hashes to compute of a file of `size` bytes to compare it with `object`; undefined when nothing can prove it. */
export function digestsNeeded(
  object: ObjectFingerprint,
  size: number,
  configuredPartSizes: readonly number[] = [],
): DigestRequest | undefined {
  if (object.size !== size) return undefined;
  // A full-object CRC proves whatever the ETag is (SSE-KMS objects, parts of unknown size).
  if (object.crc64nvme) return { crc64nvme: true };
  const etag = parseEtag(object.etag);
  if (etag.kind === "md5") return { md5: true };
  if (etag.kind === "multipart") {
    const partSizes = partSizeCandidates(size, etag.parts, configuredPartSizes);
    return partSizes.length > 0 ? { partSizes } : undefined;
  }
  return undefined;
}

/** Merges what several objects need of the same file: one read computes it all. */
export function mergeRequests(requests: readonly (DigestRequest | undefined)[]): DigestRequest | undefined {
  const merged: DigestRequest = {};
  let any = false;
  for (const r of requests) {
    if (!r) continue;
    any = true;
    if (r.md5) merged.md5 = true;
    if (r.crc64nvme) merged.crc64nvme = true;
    if (r.partSizes) merged.partSizes = [...new Set([...(merged.partSizes ?? []), ...r.partSizes])];
  }
  return any ? merged : undefined;
}

/** How the file's hashes prove it equal to the object, or undefined when they do not. */
export function proves(object: ObjectFingerprint, size: number, digests: FileDigests): ProofKind | undefined {
  if (object.size !== size) return undefined;
  if (object.crc64nvme && digests.crc64nvme !== undefined)
    return digests.crc64nvme === object.crc64nvme ? "crc64nvme" : undefined;
  const etag = parseEtag(object.etag);
  if (etag.kind === "md5") return digests.md5 === etag.md5 ? "md5" : undefined;
  if (etag.kind === "multipart") {
    for (const candidate of digests.multipart.values()) if (candidate === etag.etag) return "multipart-etag";
  }
  return undefined;
}
