// The object-level failures a move has to tell apart: each one leads the mover to a different action
// (skip and re-plan, wait for a restore, drop the move), so each is its own class with the fields needed.

import { SmartSyncError } from "../errors";

/** Thrown when a conditional copy fails (412): the source no longer holds the bytes that were verified. */
export class SourceChangedError extends SmartSyncError {
  override name = "SourceChangedError";
  readonly sourceChanged = true;
  readonly key: string;
  readonly expectedEtag?: string;

  constructor(key: string, options: { expectedEtag?: string; cause?: unknown } = {}) {
    super("S3_FAILED", `s3 object ${key} changed since it was verified; the move was not made.`, {
      hint: "Run again: the next run re-checks the object and lets aws upload the file if needed.",
      cause: options.cause,
    });
    this.key = key;
    this.expectedEtag = options.expectedEtag;
  }
}

/** Thrown when the source is in an archive storage class and must be restored before it can be copied. */
export class ObjectArchivedError extends SmartSyncError {
  override name = "ObjectArchivedError";
  readonly key: string;
  readonly storageClass?: string;

  constructor(key: string, options: { storageClass?: string; cause?: unknown } = {}) {
    const where = options.storageClass ? ` (${options.storageClass})` : "";
    super("S3_FAILED", `s3 object ${key} is archived${where} and cannot be copied until it is restored.`, {
      hint: "Start a restore with `s3-smart-sync restore`, or choose to upload the file instead.",
      cause: options.cause,
    });
    this.key = key;
    this.storageClass = options.storageClass;
  }
}

/** Thrown when the source object of a copy does not exist (NoSuchKey). */
export class SourceMissingError extends SmartSyncError {
  override name = "SourceMissingError";
  readonly key: string;

  constructor(key: string, options: { cause?: unknown } = {}) {
    super("S3_FAILED", `s3 object ${key} does not exist; the move was not made.`, {
      hint: "Run again: aws uploads the file under its new name.",
      cause: options.cause,
    });
    this.key = key;
  }
}
