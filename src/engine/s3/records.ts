// SDK responses → the engine's S3ObjectInfo records.

import type { _Object, HeadObjectCommandOutput } from "@aws-sdk/client-s3";
import type { S3ObjectInfo } from "../types";

export function stripEtag(etag: string | undefined): string {
  return (etag ?? "").replace(/^(W\/)?"|"$/g, "");
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
    storageClass: object.StorageClass ?? "STANDARD",
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
