// Real S3 behaviours fauxqs lacks: conditional writes and copies, storage classes, Glacier
// restores, object tags, full-object CRC64NVME checksums given at completion, server-side encryption settings (kept and reported, not applied). State lives on fauxqs's stored object, so an overwrite or delete resets it.
import { parseCopySource } from "./operations.mjs";
import { escapeXml, sendEmpty, sendError, sendXml, unescapeXml } from "./s3-responses.mjs";

const STORAGE_CLASSES = new Set([
  "STANDARD",
  "REDUCED_REDUNDANCY",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER",
  "DEEP_ARCHIVE",
  "GLACIER_IR",
  "OUTPOSTS",
  "SNOW",
  "EXPRESS_ONEZONE",
]);
const ARCHIVE_CLASSES = new Set(["GLACIER", "DEEP_ARCHIVE"]);
const ARCHIVE_TIERS = new Set(["ARCHIVE_ACCESS", "DEEP_ARCHIVE_ACCESS"]);
const DAY_MS = 86_400_000;

function bareEtag(s) {
  return String(s).trim().replace(/^W\//, "").replaceAll('"', "");
}

function etagMatches(header, etag) {
  return String(header)
    .split(",")
    .some((h) => h.trim() === "*" || bareEtag(h) === bareEtag(etag));
}

function classOf(obj) {
  return obj.storageClass ?? "STANDARD";
}

function isArchived(obj) {
  return ARCHIVE_CLASSES.has(classOf(obj)) || ARCHIVE_TIERS.has(obj.archiveStatus);
}

function isReadable(obj) {
  if (!isArchived(obj)) return true;
  return obj.restore !== undefined && !obj.restore.ongoing && obj.restore.expiry > Date.now();
}

/**
 * The SSE settings a write asks for; S3 gives an object written without them the bucket's default
 * encryption, which is none here (SSE-S3 on real S3), so a copy must repeat them to keep SSE-KMS.
 */
export function requestedSse(headers) {
  const algorithm = headers["x-amz-server-side-encryption"];
  if (typeof algorithm !== "string" || algorithm === "") return undefined;
  const sse = { algorithm };
  const keyId = headers["x-amz-server-side-encryption-aws-kms-key-id"];
  if (typeof keyId === "string" && keyId !== "") sse.kmsKeyId = keyId;
  const bucketKey = headers["x-amz-server-side-encryption-bucket-key-enabled"];
  if (typeof bucketKey === "string") sse.bucketKeyEnabled = bucketKey.toLowerCase() === "true";
  return sse;
}

function sseHeaders(sse) {
  if (!sse) return {};
  const out = { "x-amz-server-side-encryption": sse.algorithm };
  if (sse.kmsKeyId) out["x-amz-server-side-encryption-aws-kms-key-id"] = sse.kmsKeyId;
  if (sse.bucketKeyEnabled !== undefined)
    out["x-amz-server-side-encryption-bucket-key-enabled"] = String(sse.bucketKeyEnabled);
  return out;
}

function parseTags(header) {
  if (typeof header !== "string" || header === "") return undefined;
  return Object.fromEntries(new URLSearchParams(header));
}

export function createEmulation(store) {
  const config = { restoreDelayMs: undefined };

  const objectOf = (bucket, key) => store.buckets.get(bucket)?.get(key);

  function requestedClass(ctx) {
    const cls = ctx.req.headers["x-amz-storage-class"];
    return typeof cls === "string" && cls !== "" ? cls : undefined;
  }

  function finishRestore(obj) {
    if (!obj.restore) throw new Error("no restore requested for this object");
    obj.restore = { ...obj.restore, ongoing: false, expiry: Date.now() + (obj.restore.days ?? 1) * DAY_MS };
    clearTimeout(obj.restore.timer);
    // Intelligent-Tiering moves a restored object back to the Frequent Access tier.
    if (obj.archiveStatus) {
      delete obj.archiveStatus;
      delete obj.restore;
    }
  }

  async function restoreObject(ctx) {
    const body = (await ctx.readBody()).toString("utf8");
    const obj = objectOf(ctx.bucket, ctx.key);
    if (!obj) return sendError(ctx.res, 404, "NoSuchKey", { resource: ctx.resource });
    if (!isArchived(obj)) {
      return sendError(ctx.res, 403, "InvalidObjectState", {
        resource: ctx.resource,
        message: "Restore is not allowed for the object's current storage class",
      });
    }
    const days = Number(/<Days>\s*(\d+)\s*<\/Days>/.exec(body)?.[1] ?? 1);
    const tier = /<Tier>\s*(\w+)\s*<\/Tier>/.exec(body)?.[1] ?? "Standard";
    if (tier === "Expedited" && (classOf(obj) === "DEEP_ARCHIVE" || obj.archiveStatus === "DEEP_ARCHIVE_ACCESS")) {
      return sendError(ctx.res, 400, "InvalidArgument", {
        resource: ctx.resource,
        message: "Expedited retrieval is not available for the DEEP_ARCHIVE storage class",
      });
    }
    if (obj.restore?.ongoing) return sendError(ctx.res, 409, "RestoreAlreadyInProgress", { resource: ctx.resource });
    if (obj.restore) {
      obj.restore.expiry = Date.now() + days * DAY_MS;
      return sendEmpty(ctx.res, 200);
    }
    obj.restore = { ongoing: true, days, tier };
    if (config.restoreDelayMs !== undefined) {
      obj.restore.timer = setTimeout(() => {
        if (objectOf(ctx.bucket, ctx.key) === obj && obj.restore?.ongoing) finishRestore(obj);
      }, config.restoreDelayMs);
      obj.restore.timer.unref();
    }
    return sendEmpty(ctx.res, 202);
  }

  async function tagging(ctx) {
    const body = ctx.op === "PutObjectTagging" ? (await ctx.readBody()).toString("utf8") : "";
    const obj = objectOf(ctx.bucket, ctx.key);
    if (!obj) return sendError(ctx.res, 404, "NoSuchKey", { resource: ctx.resource });
    if (ctx.op === "DeleteObjectTagging") {
      delete obj.tags;
      return sendEmpty(ctx.res, 204);
    }
    if (ctx.op === "PutObjectTagging") {
      const tags = {};
      for (const m of body.matchAll(/<Tag>\s*<Key>([\s\S]*?)<\/Key>\s*<Value>([\s\S]*?)<\/Value>\s*<\/Tag>/g)) {
        tags[unescapeXml(m[1])] = unescapeXml(m[2]);
      }
      obj.tags = tags;
      return sendEmpty(ctx.res, 200);
    }
    const tagXml = Object.entries(obj.tags ?? {})
      .map(([k, v]) => `<Tag><Key>${escapeXml(k)}</Key><Value>${escapeXml(v)}</Value></Tag>`)
      .join("");
    return sendXml(
      ctx.res,
      200,
      `<?xml version="1.0" encoding="UTF-8"?>\n<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet>${tagXml}</TagSet></Tagging>`,
    );
  }

  /** Answers the request itself (returns true) or lets it through to fauxqs (returns false). */
  async function before(ctx) {
    const { op, req, res, resource } = ctx;
    const reject = async (status, code, message) => {
      await ctx.readBody();
      sendError(res, status, code, { resource, message, head: req.method === "HEAD" });
      return true;
    };
    const cls = requestedClass(ctx);
    if (cls && !STORAGE_CLASSES.has(cls) && ["PutObject", "CopyObject", "CreateMultipartUpload"].includes(op)) {
      return reject(400, "InvalidStorageClass", "The storage class you specified is not valid");
    }
    switch (op) {
      case "UnsupportedSubresource":
        return reject(501, "NotImplemented");
      case "RestoreObject":
        await restoreObject(ctx);
        return true;
      case "PutObjectTagging":
      case "GetObjectTagging":
      case "DeleteObjectTagging":
        await tagging(ctx);
        return true;
      case "PutObject": {
        const existing = objectOf(ctx.bucket, ctx.key);
        const ifNoneMatch = req.headers["if-none-match"];
        const ifMatch = req.headers["if-match"];
        if (ifNoneMatch !== undefined && existing && etagMatches(ifNoneMatch, existing.etag)) {
          return reject(412, "PreconditionFailed");
        }
        if (ifMatch !== undefined && !existing) return reject(404, "NoSuchKey");
        if (ifMatch !== undefined && !etagMatches(ifMatch, existing.etag)) return reject(412, "PreconditionFailed");
        return false;
      }
      case "CopyObject":
      case "UploadPartCopy": {
        const source = parseCopySource(req.headers["x-amz-copy-source"]);
        const src = source && objectOf(source.bucket, source.key);
        if (!src) return false;
        ctx.sourceObject = src;
        if (!isReadable(src)) return reject(403, "InvalidObjectState");
        const ifMatch = req.headers["x-amz-copy-source-if-match"];
        const ifNoneMatch = req.headers["x-amz-copy-source-if-none-match"];
        if (ifMatch !== undefined && !etagMatches(ifMatch, src.etag)) return reject(412, "PreconditionFailed");
        if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, src.etag)) return reject(412, "PreconditionFailed");
        return false;
      }
      case "GetObject": {
        const obj = objectOf(ctx.bucket, ctx.key);
        if (obj && !isReadable(obj)) return reject(403, "InvalidObjectState");
        return false;
      }
      default:
        return false;
    }
  }

  /** Runs on fauxqs's answer before it is relayed; returns headers to add. */
  function after(ctx, status, headers, body) {
    if (status < 200 || status > 299) return {};
    const { op, req } = ctx;
    const cls = requestedClass(ctx);
    const storedClass = cls === "STANDARD" ? undefined : cls;
    switch (op) {
      case "PutObject": {
        const obj = objectOf(ctx.bucket, ctx.key);
        if (obj && obj.etag === headers.etag) {
          if (storedClass) obj.storageClass = storedClass;
          const tags = parseTags(req.headers["x-amz-tagging"]);
          if (tags) obj.tags = tags;
          const sse = requestedSse(req.headers);
          if (sse) obj.sse = sse;
          return sseHeaders(sse);
        }
        return {};
      }
      case "CopyObject": {
        const obj = objectOf(ctx.bucket, ctx.key);
        if (!obj) return {};
        // CopyObject without a class gives STANDARD, as on S3: the source's class is not kept.
        if (storedClass) obj.storageClass = storedClass;
        const replace = String(req.headers["x-amz-tagging-directive"] ?? "COPY").toUpperCase() === "REPLACE";
        const tags = replace ? parseTags(req.headers["x-amz-tagging"]) : ctx.sourceObject?.tags;
        if (tags) obj.tags = { ...tags };
        if (ctx.sourceObject?.crc64nvme) obj.crc64nvme = ctx.sourceObject.crc64nvme;
        // As on S3: the copy is encrypted as the request says, else with the bucket's default (none here).
        const sse = requestedSse(req.headers);
        if (sse) obj.sse = sse;
        else delete obj.sse;
        return sseHeaders(sse);
      }
      case "CompleteMultipartUpload": {
        // A full-object CRC64NVME sent with the completion is kept and reported as S3 does (fauxqs knows
        // only CRC32, SHA-1 and SHA-256, and does not check this one either).
        const obj = objectOf(ctx.bucket, ctx.key);
        const crc64 = req.headers["x-amz-checksum-crc64nvme"];
        if (obj && typeof crc64 === "string") obj.crc64nvme = crc64;
        return {};
      }
      case "CreateMultipartUpload": {
        const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(body ?? "")?.[1];
        const upload = uploadId && store.multipartUploads.get(uploadId);
        if (upload) {
          if (storedClass) upload.storageClass = storedClass;
          const tags = parseTags(req.headers["x-amz-tagging"]);
          if (tags) upload.tags = tags;
          const sse = requestedSse(req.headers);
          if (sse) upload.sse = sse;
        }
        return {};
      }
      case "HeadObject":
      case "GetObject": {
        const obj = objectOf(ctx.bucket, ctx.key);
        if (!obj) return {};
        const extra = {};
        if (obj.storageClass) extra["x-amz-storage-class"] = obj.storageClass;
        if (obj.archiveStatus) extra["x-amz-archive-status"] = obj.archiveStatus;
        if (obj.restore) {
          extra["x-amz-restore"] = obj.restore.ongoing
            ? 'ongoing-request="true"'
            : `ongoing-request="false", expiry-date="${new Date(obj.restore.expiry).toUTCString()}"`;
        }
        if (obj.crc64nvme && String(req.headers["x-amz-checksum-mode"] ?? "").toUpperCase() === "ENABLED") {
          extra["x-amz-checksum-crc64nvme"] = obj.crc64nvme;
          extra["x-amz-checksum-type"] = "FULL_OBJECT";
        }
        const tagCount = Object.keys(obj.tags ?? {}).length;
        if (tagCount > 0) extra["x-amz-tagging-count"] = String(tagCount);
        return { ...extra, ...sseHeaders(obj.sse) };
      }
      default:
        return {};
    }
  }

  /** Whether fauxqs's answer body must be read before relaying (small XML only). */
  function needsBody(ctx) {
    return ctx.op === "CreateMultipartUpload";
  }

  return {
    config,
    before,
    after,
    needsBody,
    setStorageClass(bucket, key, storageClass, archiveStatus) {
      const obj = objectOf(bucket, key);
      if (!obj) throw new Error(`no such object: ${bucket}/${key}`);
      if (!STORAGE_CLASSES.has(storageClass)) throw new Error(`invalid storage class: ${storageClass}`);
      if (archiveStatus !== undefined && !ARCHIVE_TIERS.has(archiveStatus)) {
        throw new Error(`invalid archive status: ${archiveStatus}`);
      }
      if (archiveStatus !== undefined && storageClass !== "INTELLIGENT_TIERING") {
        throw new Error("an archive status needs storage class INTELLIGENT_TIERING");
      }
      obj.storageClass = storageClass === "STANDARD" ? undefined : storageClass;
      if (archiveStatus) obj.archiveStatus = archiveStatus;
      else delete obj.archiveStatus;
      clearTimeout(obj.restore?.timer);
      delete obj.restore;
    },
    completeRestore(bucket, key) {
      const obj = objectOf(bucket, key);
      if (!obj) throw new Error(`no such object: ${bucket}/${key}`);
      finishRestore(obj);
    },
    objectInfo(bucket, key) {
      const obj = objectOf(bucket, key);
      if (!obj) return undefined;
      return {
        key: obj.key,
        size: obj.contentLength,
        etag: obj.etag,
        lastModified: obj.lastModified.toISOString(),
        storageClass: classOf(obj),
        archiveStatus: obj.archiveStatus,
        restore: obj.restore && {
          ongoing: obj.restore.ongoing,
          expiry: obj.restore.expiry ? new Date(obj.restore.expiry).toISOString() : undefined,
        },
        tags: obj.tags ?? {},
        metadata: obj.metadata,
        contentType: obj.contentType,
        sse: obj.sse,
      };
    },
  };
}
