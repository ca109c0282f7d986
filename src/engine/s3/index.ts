export { getS3Client, clearS3ClientCache, DEFAULT_REGION, DEFAULT_MAX_ATTEMPTS, type S3ClientOptions } from "./client";
export {
  BucketGateway,
  type BucketGatewayOptions,
  type CopyOptions,
  type RestoreOutcome,
  type RestoreTier,
} from "./gateway";
export { encodeCopySource, choosePartSize, DEFAULT_MULTIPART_COPY_THRESHOLD, MIB, GIB } from "./copy";
export { classifyS3Error, type S3ErrorContext } from "./classify";
export { SourceChangedError, ObjectArchivedError, SourceMissingError } from "./errors";
export { stripEtag, parseRestoreHeader, decodeListedKey } from "./records";
