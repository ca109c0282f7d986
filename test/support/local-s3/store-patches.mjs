// Fixes to fauxqs's in-memory S3Store that real S3 clients depend on.
import { S3Error } from "./fauxqs-internals.mjs";

/** S3 lists keys in UTF-8 byte order (fauxqs uses localeCompare, which breaks pagination). */
export function compareKeys(a, b) {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** A bucket's key map that counts its changes, so the sorted key index is rebuilt only when needed. */
class VersionedMap extends Map {
  version = 0;
  set(key, value) {
    this.version = (this.version ?? 0) + 1;
    return super.set(key, value);
  }
  delete(key) {
    this.version++;
    return super.delete(key);
  }
  clear() {
    this.version++;
    super.clear();
  }
}

const sortedIndex = new WeakMap();

/** Keys of a bucket as UTF-8 buffers in byte order, cached until the bucket changes. */
function sortedKeys(objectsMap) {
  const cached = sortedIndex.get(objectsMap);
  if (cached && cached.version === objectsMap.version && objectsMap.version !== undefined) return cached.keys;
  const keys = Array.from(objectsMap.keys(), (key) => ({ key, buf: Buffer.from(key, "utf8") }));
  keys.sort((x, y) => Buffer.compare(x.buf, y.buf));
  sortedIndex.set(objectsMap, { version: objectsMap.version, keys });
  return keys;
}

/** First index whose key is > bound (strict) or >= bound. */
function lowerBound(keys, bound, strict) {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = Buffer.compare(keys[mid].buf, bound);
    if (c < 0 || (strict && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function listObjects(bucket, options) {
  const objectsMap = this.buckets.get(bucket);
  if (!objectsMap) {
    throw new S3Error("NoSuchBucket", `The specified bucket does not exist: ${bucket}`, 404);
  }
  const prefix = options?.prefix ?? "";
  const delimiter = options?.delimiter || undefined;
  const maxKeys = options?.maxKeys ?? 1000;
  const startAfter = options?.startAfter ?? options?.marker ?? "";
  const startAfterBuf = Buffer.from(startAfter, "utf8");

  const keys = sortedKeys(objectsMap);
  let i = Math.max(
    lowerBound(keys, Buffer.from(prefix, "utf8"), false),
    startAfter ? lowerBound(keys, startAfterBuf, true) : 0,
  );
  const objects = [];
  const commonPrefixes = [];
  let isTruncated = false;
  let lastEntry;
  for (; i < keys.length; i++) {
    const { key } = keys[i];
    if (!key.startsWith(prefix)) break;
    let cp;
    if (delimiter) {
      const idx = key.indexOf(delimiter, prefix.length);
      if (idx >= 0) cp = key.slice(0, idx + delimiter.length);
    }
    if (cp !== undefined && (cp === lastEntry || (startAfter && compareKeys(cp, startAfter) <= 0))) continue;
    if (objects.length + commonPrefixes.length >= maxKeys) {
      isTruncated = true;
      break;
    }
    if (cp !== undefined) {
      commonPrefixes.push(cp);
      lastEntry = cp;
    } else {
      objects.push(objectsMap.get(key));
      lastEntry = key;
    }
  }
  // The handler builds the continuation token from `resumeAfter` (patched in hooks.mjs): the last
  // entry returned, whether object or common prefix, as S3 does.
  return { objects, commonPrefixes, isTruncated, resumeAfter: isTruncated ? lastEntry : undefined };
}

export function patchStore(S3Store) {
  S3Store.prototype.listObjects = listObjects;

  const createBucket = S3Store.prototype.createBucket;
  S3Store.prototype.createBucket = function (name, type) {
    createBucket.call(this, name, type);
    const objects = this.buckets.get(name);
    if (objects && !(objects instanceof VersionedMap)) this.buckets.set(name, new VersionedMap(objects));
  };

  // Go clients (rclone) send part ETags as &#34;…&#34;; fauxqs only unescapes named entities.
  const complete = S3Store.prototype.completeMultipartUpload;
  S3Store.prototype.completeMultipartUpload = function (uploadId, partSpecs) {
    const upload = this.multipartUploads.get(uploadId);
    const fixed = partSpecs.map((p) => ({ ...p, etag: p.etag.replace(/&#(?:34|x22);/gi, '"') }));
    const obj = complete.call(this, uploadId, fixed);
    if (upload?.storageClass) obj.storageClass = upload.storageClass;
    if (upload?.tags) obj.tags = upload.tags;
    if (upload?.sse) obj.sse = upload.sse;
    return obj;
  };
}
