export { getS3Client, clearS3ClientCache, DEFAULT_REGION, DEFAULT_MAX_ATTEMPTS, type S3ClientOptions } from "./client";
export {
  BucketGateway,
  DEFAULT_CONCURRENCY,
  DELETE_BATCH,
  type BucketGatewayOptions,
  type DeleteFailure,
  type CopyOptions,
  type RestoreOutcome,
  type RestoreTier,
} from "./gateway";
export {
  encodeCopySource,
  choosePartSize,
  contentTypeChange,
  DEFAULT_MULTIPART_COPY_THRESHOLD,
  MIB,
  GIB,
} from "./copy";
export { guessContentType, loadTypeTable, parseMimeTypes } from "./content-type";
export { RequestLimiter, type Limit } from "./limiter";
export { classifyS3Error, type S3ErrorContext } from "./classify";
export { SourceChangedError, ObjectArchivedError, SourceMissingError } from "./errors";
export { stripEtag, parseRestoreHeader, decodeListedKey, recordedObjectInfo } from "./records";
