// What real S3 checks before anything else, which fauxqs skips: the access key id exists, and a
// request to a bucket is signed for the bucket's region. Signatures themselves are still not checked.
import { sendError } from "./s3-responses.mjs";

/** The one access key id the server does not know (any other is accepted). */
export const INVALID_ACCESS_KEY_ID = "INVALIDKEY";
// Asked of any region, as S3 answers it from its global endpoint.
const ANY_REGION_OPS = new Set(["CreateBucket", "GetBucketLocation", "ListBuckets"]);

/** `Credential=<akid>/<date>/<region>/s3/aws4_request` from the Authorization header or a presigned URL. */
export function signingScope(headers, query) {
  const auth = typeof headers.authorization === "string" ? headers.authorization : "";
  const fromHeader = /Credential=([^,\s]+)/.exec(auth)?.[1];
  const credential = fromHeader ?? query.get("X-Amz-Credential") ?? undefined;
  if (!credential) return undefined;
  const [accessKeyId, , region] = credential.split("/");
  return { accessKeyId, region, presigned: fromHeader === undefined };
}

export function createAuth() {
  const bucketRegions = new Map();

  /** Answers the request itself (returns true) when S3 would refuse it before looking at the bucket. */
  async function check(ctx, query) {
    const scope = signingScope(ctx.req.headers, query);
    if (!scope) return false;
    const head = ctx.req.method === "HEAD";
    if (scope.accessKeyId === INVALID_ACCESS_KEY_ID) {
      await ctx.readBody();
      sendError(ctx.res, 403, "InvalidAccessKeyId", {
        resource: ctx.resource,
        message: "The AWS Access Key Id you provided does not exist in our records.",
        fields: { AWSAccessKeyId: scope.accessKeyId },
        head,
      });
      return true;
    }
    const expected = ctx.bucket ? bucketRegions.get(ctx.bucket) : undefined;
    if (expected && !ANY_REGION_OPS.has(ctx.op) && scope.region !== expected) {
      await ctx.readBody();
      // A SigV4 request that reaches the bucket's endpoint signed for another region: 400, the region
      // named in the message, a <Region> element and x-amz-bucket-region (the only hint a HEAD gets).
      const wrong = `the region '${scope.region}' is wrong; expecting '${expected}'`;
      sendError(ctx.res, 400, scope.presigned ? "AuthorizationQueryParametersError" : "AuthorizationHeaderMalformed", {
        resource: ctx.resource,
        message: scope.presigned
          ? `Error parsing the X-Amz-Credential parameter; ${wrong}`
          : `The authorization header is malformed; ${wrong}`,
        fields: { Region: expected },
        headers: { "x-amz-bucket-region": expected },
        head,
      });
      return true;
    }
    return false;
  }

  return {
    check,
    /** Puts a bucket in a region; undefined puts it back to accepting requests signed for any region. */
    setBucketRegion(bucket, region) {
      if (!region) bucketRegions.delete(bucket);
      else bucketRegions.set(bucket, region);
    },
  };
}
