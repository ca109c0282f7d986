// Turns whatever the SDK threw (service exceptions, credential-provider errors, Node socket errors) into
// one SmartSyncError whose code, hint and `retryable` the front ends act on. The SDK has already retried
// throttling, 5xx and connection errors by the time an error reaches here.

import { SmartSyncError } from "../errors";
import { ObjectArchivedError, SourceChangedError, SourceMissingError } from "./errors";

export interface S3ErrorContext {
  bucket: string;
  key?: string;
  endpoint?: string;
  profile?: string;
  /** The source's storage class when known, for archived-object messages. */
  storageClass?: string;
  /** The ETag a conditional request expected. */
  etag?: string;
}

const CREDENTIAL_CODES = new Set([
  "CredentialsProviderError",
  "TokenProviderError",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidToken",
  "TokenRefreshRequired",
  "InvalidClientTokenId",
  "MissingSecurityHeader",
]);

const REGION_CODES = new Set([
  "PermanentRedirect",
  "AuthorizationHeaderMalformed",
  "IllegalLocationConstraintException",
  "MovedPermanently",
]);

const ACCESS_CODES = new Set(["AccessDenied", "AllAccessDisabled", "Forbidden", "AccountProblem"]);

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ECONNABORTED",
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "NetworkingError",
]);

const SERVER_CODES = new Set(["SlowDown", "InternalError", "ServiceUnavailable", "Throttling", "ThrottlingException"]);

interface ErrorFacts {
  names: string[];
  status?: number;
  message: string;
  region?: string;
  storageClass?: string;
}

type Loose = Record<string, unknown> & {
  $metadata?: { httpStatusCode?: number };
  $response?: {
    statusCode?: number;
    headers?: Record<string, string | undefined>;
  };
};

/** Every name and code found on the error, its causes and aggregated errors (Node wraps socket errors). */
function collectFacts(error: unknown): ErrorFacts {
  const facts: ErrorFacts = {
    names: [],
    message: error instanceof Error ? error.message : String(error),
  };
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number): void => {
    if (!value || typeof value !== "object" || seen.has(value) || depth > 5) return;
    seen.add(value);
    const e = value as Loose;
    for (const field of ["name", "Code", "code", "errno"]) {
      if (typeof e[field] === "string") facts.names.push(e[field] as string);
    }
    facts.status ??= e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
    facts.region ??=
      (typeof e.Region === "string" ? e.Region : undefined) ?? e.$response?.headers?.["x-amz-bucket-region"];
    facts.storageClass ??= typeof e.StorageClass === "string" ? e.StorageClass : undefined;
    visit(e.cause, depth + 1);
    if (Array.isArray(e.errors)) for (const inner of e.errors) visit(inner, depth + 1);
  };
  visit(error, 0);
  // AuthorizationHeaderMalformed says "the region 'us-east-1' is wrong; expecting 'eu-west-1'".
  facts.region ??= /expecting '([a-z0-9-]+)'/.exec(facts.message)?.[1];
  return facts;
}

function where(context: S3ErrorContext): string {
  const target = context.key === undefined ? `s3://${context.bucket}` : `s3://${context.bucket}/${context.key}`;
  return context.endpoint ? `${target} (${context.endpoint})` : target;
}

function credentialsHint(profile?: string): string {
  const named = profile ? ` --profile ${profile}` : "";
  return `Check the AWS credentials${profile ? ` of profile "${profile}"` : ""}: run \`aws configure${named}\` or \`aws sso login${named}\`, or set the target's profile.`;
}

export function classifyS3Error(error: unknown, context: S3ErrorContext): SmartSyncError {
  if (error instanceof SmartSyncError) return error;
  const facts = collectFacts(error);
  const has = (codes: Set<string>) => facts.names.some((name) => codes.has(name));
  const is = (name: string) => facts.names.includes(name);
  const options = (extra: { hint?: string; retryable?: boolean } = {}) => ({
    ...extra,
    cause: error,
  });

  if (is("AbortError") || is("ABORT_ERR")) {
    return new SmartSyncError("ABORTED", `Request to ${where(context)} was cancelled.`, options());
  }
  if (has(CREDENTIAL_CODES) || /could not load credentials/i.test(facts.message)) {
    return new SmartSyncError(
      "CREDENTIALS",
      `AWS credentials were not accepted for ${where(context)}: ${facts.message}`,
      options({ hint: credentialsHint(context.profile) }),
    );
  }
  if (has(REGION_CODES) || facts.status === 301) {
    const region = facts.region;
    return new SmartSyncError(
      "WRONG_REGION",
      `Bucket ${context.bucket} is in ${region ? `region ${region}` : "another region"}, not the one configured.`,
      options({
        hint: region
          ? `Set region = ${region} for this target (or in the AWS profile).`
          : "Set the bucket's region for this target (see the bucket's properties in the S3 console).",
      }),
    );
  }
  if (is("NoSuchBucket") || (facts.status === 404 && context.key === undefined && !is("NoSuchKey"))) {
    return new SmartSyncError(
      "BUCKET_MISSING",
      `Bucket ${context.bucket} does not exist${context.endpoint ? ` at ${context.endpoint}` : ""}.`,
      options({
        hint: "Check the bucket name in the config, or create the bucket.",
      }),
    );
  }
  if (is("NoSuchKey") || is("NotFound")) {
    return new SourceMissingError(context.key ?? "(unknown key)", {
      cause: error,
    });
  }
  if (is("PreconditionFailed") || facts.status === 412) {
    return new SourceChangedError(context.key ?? "(unknown key)", {
      expectedEtag: context.etag,
      cause: error,
    });
  }
  if (is("InvalidObjectState")) {
    return new ObjectArchivedError(context.key ?? "(unknown key)", {
      storageClass: facts.storageClass ?? context.storageClass,
      cause: error,
    });
  }
  if (has(ACCESS_CODES) || facts.status === 403) {
    return new SmartSyncError(
      "ACCESS_DENIED",
      `Access denied to ${where(context)}.`,
      options({
        hint: "Grant the credentials s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on the bucket, or use another profile.",
      }),
    );
  }
  if (has(NETWORK_CODES) || /socket hang up|network|timed? ?out/i.test(facts.message)) {
    return new SmartSyncError(
      "NETWORK",
      `Cannot reach ${context.endpoint ?? "Amazon S3"} for ${where(context)}: ${facts.message}`,
      options({
        hint: "Check the network connection and the endpoint URL, then try again.",
        retryable: true,
      }),
    );
  }
  const serverSide = has(SERVER_CODES) || (facts.status !== undefined && facts.status >= 500);
  return new SmartSyncError(
    "S3_FAILED",
    `S3 request for ${where(context)} failed: ${facts.names[0] ?? "Error"}${facts.status ? ` (HTTP ${facts.status})` : ""}: ${facts.message}`,
    options(serverSide ? { hint: "S3 is busy or failing; try again later.", retryable: true } : {}),
  );
}
