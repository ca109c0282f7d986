// Names each incoming request by its S3 API operation (path-style addressing only).

const OBJECT_SUBRESOURCES_UNSUPPORTED = ["acl", "legal-hold", "retention", "torrent", "select", "object-lock"];

/** Splits a raw path-style request target into bucket and key, decoded as S3 does (no `+` → space). */
export function parseTarget(rawUrl) {
  const q = rawUrl.indexOf("?");
  const path = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
  const query = new URLSearchParams(q >= 0 ? rawUrl.slice(q + 1) : "");
  const rest = path.replace(/^\/+/, "");
  const slash = rest.indexOf("/");
  const bucket = safeDecode(slash >= 0 ? rest.slice(0, slash) : rest);
  const key = slash >= 0 ? safeDecode(rest.slice(slash + 1)) : "";
  return { bucket, key, query };
}

function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Parses `x-amz-copy-source` ("bucket/key" or "/bucket/key", URL-encoded, optional ?versionId). */
export function parseCopySource(header) {
  if (typeof header !== "string" || header === "") return undefined;
  const noQuery = header.split("?")[0];
  const decoded = safeDecode(noQuery).replace(/^\//, "");
  const slash = decoded.indexOf("/");
  if (slash < 0) return undefined;
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}

export function classify(method, rawUrl, headers) {
  const { bucket, key, query } = parseTarget(rawUrl);
  const has = (name) => query.has(name);
  const copy = typeof headers["x-amz-copy-source"] === "string";
  let op = "Unknown";
  if (!bucket) {
    op = method === "GET" ? "ListBuckets" : "Unknown";
  } else if (!key) {
    if (method === "PUT") op = has("lifecycle") ? "PutBucketLifecycleConfiguration" : "CreateBucket";
    else if (method === "HEAD") op = "HeadBucket";
    else if (method === "DELETE") op = has("lifecycle") ? "DeleteBucketLifecycleConfiguration" : "DeleteBucket";
    else if (method === "POST") op = has("delete") ? "DeleteObjects" : "PostObject";
    else if (method === "GET") {
      if (has("lifecycle")) op = "GetBucketLifecycleConfiguration";
      else if (has("location")) op = "GetBucketLocation";
      else if (has("uploads")) op = "ListMultipartUploads";
      else if (has("versioning")) op = "GetBucketVersioning";
      else op = query.get("list-type") === "2" ? "ListObjectsV2" : "ListObjects";
    }
  } else if (OBJECT_SUBRESOURCES_UNSUPPORTED.some(has)) {
    op = "UnsupportedSubresource";
  } else if (method === "PUT") {
    if (has("uploadId") && has("partNumber")) op = copy ? "UploadPartCopy" : "UploadPart";
    else if (has("tagging")) op = "PutObjectTagging";
    else op = copy ? "CopyObject" : "PutObject";
  } else if (method === "GET") {
    if (has("tagging")) op = "GetObjectTagging";
    else if (has("uploadId")) op = "ListParts";
    else if (has("attributes")) op = "GetObjectAttributes";
    else op = "GetObject";
  } else if (method === "HEAD") {
    op = "HeadObject";
  } else if (method === "DELETE") {
    if (has("tagging")) op = "DeleteObjectTagging";
    else op = has("uploadId") ? "AbortMultipartUpload" : "DeleteObject";
  } else if (method === "POST") {
    if (has("uploads")) op = "CreateMultipartUpload";
    else if (has("uploadId")) op = "CompleteMultipartUpload";
    else if (has("restore")) op = "RestoreObject";
  }
  return { op, bucket, key, query };
}
