import { S3ServiceException } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { SmartSyncError } from "../../src/engine/errors";
import {
  choosePartSize,
  classifyS3Error,
  decodeListedKey,
  encodeCopySource,
  MIB,
  ObjectArchivedError,
  parseRestoreHeader,
  SourceChangedError,
  SourceMissingError,
  stripEtag,
} from "../../src/engine/s3";

const context = { bucket: "music", endpoint: "http://127.0.0.1:1" };

/** The shape the SDK throws for an S3 error response (fields of the XML body copied onto it). */
function serviceError(name: string, status: number, extra: Record<string, unknown> = {}, message = name) {
  const error = new S3ServiceException({
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status },
    message,
  });
  return Object.assign(error, extra);
}

function nodeError(code: string, message = `connect ${code} 127.0.0.1:1`) {
  return Object.assign(new Error(message), { code });
}

describe("classifyS3Error", () => {
  it("maps NoSuchBucket and a bucket-level 404 to BUCKET_MISSING", () => {
    expect(classifyS3Error(serviceError("NoSuchBucket", 404), context).code).toBe("BUCKET_MISSING");
    const headBucket = classifyS3Error(serviceError("NotFound", 404), context);
    expect(headBucket.code).toBe("BUCKET_MISSING");
    expect(headBucket.message).toContain("music");
    expect(headBucket.hint).toMatch(/bucket/i);
  });

  it("maps missing and rejected credentials to CREDENTIALS with the profile in the hint", () => {
    const missing = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    for (const error of [
      missing,
      serviceError("InvalidAccessKeyId", 403),
      serviceError("SignatureDoesNotMatch", 403),
      serviceError("ExpiredToken", 400),
    ]) {
      const classified = classifyS3Error(error, {
        ...context,
        profile: "media",
      });
      expect(classified.code).toBe("CREDENTIALS");
      expect(classified.hint).toContain("--profile media");
      expect(classified.retryable).toBe(false);
      expect(classified.cause).toBe(error);
    }
  });

  it("maps AccessDenied and a bare 403 to ACCESS_DENIED", () => {
    expect(classifyS3Error(serviceError("AccessDenied", 403), context).code).toBe("ACCESS_DENIED");
    expect(classifyS3Error(serviceError("Forbidden", 403), context).code).toBe("ACCESS_DENIED");
    expect(classifyS3Error(serviceError("Unknown", 403), { ...context, key: "a" }).code).toBe("ACCESS_DENIED");
  });

  it("names the bucket's region for redirects and malformed authorization headers", () => {
    const redirect = serviceError("PermanentRedirect", 301, {
      $response: {
        statusCode: 301,
        headers: { "x-amz-bucket-region": "eu-central-1" },
      },
    });
    const classified = classifyS3Error(redirect, context);
    expect(classified.code).toBe("WRONG_REGION");
    expect(classified.message).toContain("eu-central-1");
    expect(classified.hint).toContain("region = eu-central-1");

    const malformed = serviceError(
      "AuthorizationHeaderMalformed",
      400,
      {},
      "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'ap-southeast-2'",
    );
    expect(classifyS3Error(malformed, context).message).toContain("ap-southeast-2");
    expect(
      classifyS3Error(
        serviceError("AuthorizationHeaderMalformed", 400, {
          Region: "sa-east-1",
        }),
        context,
      ).hint,
    ).toContain("sa-east-1");
    expect(classifyS3Error(serviceError("MovedPermanently", 301), context).code).toBe("WRONG_REGION");
  });

  it("maps connection failures to a retryable NETWORK error, also when wrapped", () => {
    for (const error of [
      nodeError("ECONNREFUSED"),
      nodeError("ENOTFOUND", "getaddrinfo ENOTFOUND s3.example.invalid"),
      nodeError("ECONNRESET", "socket hang up"),
      Object.assign(new Error("Connection timed out after 10000 ms"), {
        name: "TimeoutError",
      }),
      new AggregateError([nodeError("ECONNREFUSED"), nodeError("ECONNREFUSED")], ""),
      new Error("request failed", { cause: nodeError("EHOSTUNREACH") }),
    ]) {
      const classified = classifyS3Error(error, context);
      expect(classified.code).toBe("NETWORK");
      expect(classified.retryable).toBe(true);
      expect(classified.message).toContain("127.0.0.1:1");
    }
  });

  it("maps a failed CopySourceIfMatch to SourceChangedError", () => {
    const classified = classifyS3Error(serviceError("PreconditionFailed", 412), {
      ...context,
      key: "a.mp3",
      etag: "e1",
    });
    expect(classified).toBeInstanceOf(SourceChangedError);
    expect(classified.code).toBe("S3_FAILED");
    expect((classified as SourceChangedError).sourceChanged).toBe(true);
    expect((classified as SourceChangedError).key).toBe("a.mp3");
    expect((classified as SourceChangedError).expectedEtag).toBe("e1");
  });

  it("maps InvalidObjectState to ObjectArchivedError with the storage class", () => {
    const fromBody = classifyS3Error(serviceError("InvalidObjectState", 403, { StorageClass: "DEEP_ARCHIVE" }), {
      ...context,
      key: "a.mp3",
    });
    expect(fromBody).toBeInstanceOf(ObjectArchivedError);
    expect((fromBody as ObjectArchivedError).storageClass).toBe("DEEP_ARCHIVE");
    const fromContext = classifyS3Error(serviceError("InvalidObjectState", 403), {
      ...context,
      key: "a.mp3",
      storageClass: "GLACIER",
    });
    expect((fromContext as ObjectArchivedError).storageClass).toBe("GLACIER");
    expect(fromContext.message).toContain("GLACIER");
  });

  it("maps NoSuchKey to SourceMissingError", () => {
    const classified = classifyS3Error(serviceError("NoSuchKey", 404), {
      ...context,
      key: "gone.mp3",
    });
    expect(classified).toBeInstanceOf(SourceMissingError);
    expect((classified as SourceMissingError).key).toBe("gone.mp3");
  });

  it("marks exhausted server-side failures retryable and others not", () => {
    const slow = classifyS3Error(serviceError("SlowDown", 503), context);
    expect(slow.code).toBe("S3_FAILED");
    expect(slow.retryable).toBe(true);
    const internal = classifyS3Error(serviceError("InternalError", 500), context);
    expect(internal.retryable).toBe(true);
    const invalid = classifyS3Error(serviceError("InvalidArgument", 400), context);
    expect(invalid.code).toBe("S3_FAILED");
    expect(invalid.retryable).toBe(false);
    expect(invalid.message).toContain("InvalidArgument");
  });

  it("maps a cancelled request to ABORTED and passes SmartSyncErrors through", () => {
    const abort = new DOMException("This operation was aborted", "AbortError");
    expect(classifyS3Error(abort, context).code).toBe("ABORTED");
    const own = new SmartSyncError("USAGE", "x");
    expect(classifyS3Error(own, context)).toBe(own);
  });
});

describe("s3 helpers", () => {
  it("encodes the copy source per path segment", () => {
    expect(encodeCopySource("b", "dir one/a+b%c#d?e.mp3")).toBe("b/dir%20one/a%2Bb%25c%23d%3Fe.mp3");
    expect(encodeCopySource("b", "Café/ü")).toBe("b/Caf%C3%A9/%C3%BC");
    expect(encodeCopySource("b", "a//b/")).toBe("b/a//b/");
  });

  it("decodes url-encoded listing keys like botocore (unquote_plus) and leaves raw keys alone", () => {
    expect(decodeListedKey("a+b%2Bc%25d", "url")).toBe("a b+c%d");
    expect(decodeListedKey("a+b%2Bc", undefined)).toBe("a+b%2Bc");
  });

  it("strips ETag quotes", () => {
    expect(stripEtag('"abc"')).toBe("abc");
    expect(stripEtag('"abc-3"')).toBe("abc-3");
    expect(stripEtag("abc")).toBe("abc");
    expect(stripEtag(undefined)).toBe("");
  });

  it("parses x-amz-restore", () => {
    expect(parseRestoreHeader('ongoing-request="true"')).toEqual({
      ongoing: true,
    });
    expect(parseRestoreHeader('ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"')).toEqual({
      ongoing: false,
      expiry: "Fri, 21 Dec 2012 00:00:00 GMT",
    });
    expect(parseRestoreHeader(undefined)).toBeUndefined();
  });

  it("keeps multipart parts between 5 MiB and 5 GiB and at most 10,000 of them", () => {
    expect(choosePartSize(13 * MIB, 6 * MIB, 5 * MIB)).toBe(5 * MIB);
    expect(choosePartSize(13 * MIB, 6 * MIB)).toBe(6 * MIB);
    expect(choosePartSize(13 * MIB, 6 * MIB, 1024)).toBe(5 * MIB);
    const huge = 5 * 1024 * 1024 * MIB; // 5 TiB
    expect(Math.ceil(huge / choosePartSize(huge, 5 * 1024 * MIB))).toBeLessThanOrEqual(10_000);
  });
});
