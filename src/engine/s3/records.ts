// SDK responses (and the DB's rows) → the engine's S3ObjectInfo records.

import type { _Object, HeadObjectCommandOutput } from "@aws-sdk/client-s3";
import type { FileRecord, S3ObjectInfo } from "../types";

/**
 * The ETag without its quotes, as a string of its own: V8 makes a slice of the quoted value, and a slice
 * keeps its parent alive, which for a million listed objects is a million quoted ETags held for nothing.
 */
export function stripEtag(etag: string | undefined): string {
  const quoted = etag ?? "";
  const bare = quoted.replace(/^(W\/)?"|"$/g, "");
  return bare.length === quoted.length ? bare : Buffer.from(bare).toString();
}

/** One string per storage class, not one per listed object. */
const STORAGE_CLASSES = new Map<string, string>();

function storageClassOf(value: string | undefined): string {
  if (value === undefined) return "STANDARD";
  let known = STORAGE_CLASSES.get(value);
  if (known === undefined && STORAGE_CLASSES.size < 64) STORAGE_CLASSES.set(value, (known = value));
  return known ?? value;
}

/**
 * Keys from a listing requested with EncodingType=url, as botocore (and so aws-cli) decodes them:
 * `unquote_plus`. Only when the server says it encoded them; servers that ignore the parameter send raw keys.
 */
export function decodeListedKey(key: string, encodingType: string | undefined): string {
  return encodingType === "url" ? decodeURIComponent(key.replace(/\+/g, " ")) : key;
}

/** `ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"` */
export function parseRestoreHeader(header: string | undefined): S3ObjectInfo["restore"] {
  if (!header) return undefined;
  const ongoing = /ongoing-request="(true|false)"/i.exec(header)?.[1]?.toLowerCase() === "true";
  const expiry = /expiry-date="([^"]+)"/i.exec(header)?.[1];
  return expiry ? { ongoing, expiry } : { ongoing };
}

export function listedObjectInfo(object: _Object, encodingType: string | undefined): S3ObjectInfo {
  return {
    key: decodeListedKey(object.Key ?? "", encodingType),
    size: object.Size ?? 0,
    lastModifiedMs: object.LastModified?.getTime() ?? 0,
    etag: stripEtag(object.ETag),
    storageClass: storageClassOf(object.StorageClass),
  };
}

export function headObjectInfo(key: string, head: HeadObjectCommandOutput): S3ObjectInfo {
  const info: S3ObjectInfo = {
    key,
    size: head.ContentLength ?? 0,
    lastModifiedMs: head.LastModified?.getTime() ?? 0,
    etag: stripEtag(head.ETag),
    storageClass: head.StorageClass ?? "STANDARD",
  };
  if (head.ArchiveStatus) info.archiveStatus = head.ArchiveStatus;
  const restore = parseRestoreHeader(head.Restore);
  if (restore) info.restore = restore;
  return info;
}

/** The object the DB says stands at a row's key, with the ETag it recorded: written when the row was synced. */
export function recordedObjectInfo(key: string, row: Pick<FileRecord, "size" | "synced">, etag: string): S3ObjectInfo {
  return { key, size: row.size, etag, lastModifiedMs: row.synced * 1000, storageClass: "STANDARD" };
}
