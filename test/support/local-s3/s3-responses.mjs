// S3-shaped responses written by the proxy itself.
import { randomBytes } from "node:crypto";

export function escapeXml(s) {
  return String(s)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

export function unescapeXml(s) {
  return s
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'")
    .replaceAll("&amp;", "&");
}

const MESSAGES = {
  SlowDown: "Please reduce your request rate.",
  InternalError: "We encountered an internal error. Please try again.",
  PreconditionFailed: "At least one of the pre-conditions you specified did not hold",
  InvalidObjectState: "The operation is not valid for the object's storage class",
  NoSuchKey: "The specified key does not exist.",
  RestoreAlreadyInProgress: "Object restore is already in progress",
  NotImplemented: "A header or query you provided implies functionality that is not implemented.",
};

/** `fields`: extra elements of <Error> (e.g. Region); `headers`: extra response headers. */
export function sendError(res, status, code, { resource = "", message, head = false, fields = {}, headers = {} } = {}) {
  const requestId = randomBytes(8).toString("hex").toUpperCase();
  const extra = Object.entries(fields)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join("");
  const body = head
    ? ""
    : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(
        message ?? MESSAGES[code] ?? code,
      )}</Message>${extra}<Resource>${escapeXml(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`;
  res.writeHead(status, {
    "content-type": "application/xml",
    "content-length": Buffer.byteLength(body),
    "x-amz-request-id": requestId,
    "x-amz-id-2": "local-s3",
    ...headers,
  });
  res.end(body);
}

export function sendXml(res, status, xml, headers = {}) {
  res.writeHead(status, {
    "content-type": "application/xml",
    "content-length": Buffer.byteLength(xml),
    "x-amz-request-id": randomBytes(8).toString("hex").toUpperCase(),
    ...headers,
  });
  res.end(xml);
}

export function sendEmpty(res, status, headers = {}) {
  res.writeHead(status, { "content-length": 0, ...headers });
  res.end();
}
