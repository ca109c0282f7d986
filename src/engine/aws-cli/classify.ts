// Decides what an aws exit means. Facts from aws-cli (1.45 and 2.9 here): `s3 sync` catches its own
// failures and returns 1 both for a failed transfer ("upload failed: …") and for a fatal error
// ("fatal error: …": missing bucket, no credentials, unreachable endpoint), 2 when it skipped files,
// 0 otherwise. Errors outside the command exit 255 in 1.x; 2.x uses awscli/constants.py: 252 bad
// arguments, 253 configuration/credentials, 254 service error, 255 other; 1.x's argparse exits 2.
import { AwsCliError } from "../errors";

type Code = ConstructorParameters<typeof AwsCliError>[0];

interface Rule {
  test: RegExp;
  code: Code;
  message: string;
  hint: string;
  retryable?: boolean;
}

// First match wins: a missing bucket is more precise than the access error S3 may give along with it.
const RULES: Rule[] = [
  {
    test: /NoSuchBucket|specified bucket does not exist/,
    code: "BUCKET_MISSING",
    message: "The bucket does not exist.",
    hint: "Create the bucket or fix the bucket name in the config (and the endpoint or region it lives in).",
  },
  {
    test: /Unable to locate credentials|NoCredentialsError|Partial credentials found/,
    code: "CREDENTIALS",
    message: "The aws CLI found no AWS credentials.",
    hint: 'Run "aws configure" (or "aws sso login"), or set the AWS profile for this target.',
  },
  {
    test: /The config profile \(.*\) could not be found/,
    code: "CREDENTIALS",
    message: "The AWS profile does not exist.",
    hint: "Fix the profile name for this target, or add the profile to ~/.aws/config.",
  },
  {
    test: /InvalidAccessKeyId|SignatureDoesNotMatch|InvalidClientTokenId|UnrecognizedClientException/,
    code: "CREDENTIALS",
    message: "AWS rejected the credentials.",
    hint: 'Check the access key and secret of the profile ("aws configure list" shows which ones are used).',
  },
  {
    test: /ExpiredToken|TokenRefreshRequired|token has expired|SSO session .* expired|InvalidToken/i,
    code: "CREDENTIALS",
    message: "The AWS session has expired.",
    hint: 'Refresh the credentials (for SSO: "aws sso login") and try again.',
  },
  {
    test: /PermanentRedirect|AuthorizationHeaderMalformed|IllegalLocationConstraintException|\(301\)/,
    code: "WRONG_REGION",
    message: "The bucket is in another region than the one used.",
    hint: "Set the target's region (region=… in the config, or --region) to the bucket's region.",
  },
  {
    test: /AccessDenied|\(403\)|Forbidden/,
    code: "ACCESS_DENIED",
    message: "Access denied by S3.",
    hint: "The credentials in use lack permission for this bucket: check the profile and its IAM policy.",
  },
  {
    test: /Could not connect to the endpoint URL|Connect timeout on endpoint URL|Read timeout on endpoint URL|EndpointConnectionError|Connection was closed|SSL validation failed|Failed to resolve|Name or service not known|nodename nor servname/,
    code: "NETWORK",
    message: "The aws CLI could not reach S3.",
    hint: "Check the network connection and the endpoint URL, then try again.",
    retryable: true,
  },
];

/** The aws error line worth showing: the "fatal error:" line, else the last non-blank stderr line. */
export function mainErrorLine(stderrLines: string[]): string | undefined {
  const lines = stderrLines.map((l) => l.trim()).filter((l) => l !== "");
  const fatal = lines.find((l) => l.startsWith("fatal error: "));
  if (fatal) return fatal.slice("fatal error: ".length);
  return lines.at(-1);
}

/** Builds the error for a run that did not get to transfer files (or died doing it). */
export function classifyAwsFailure(exitCode: number | undefined, stderrLines: string[]): AwsCliError {
  const stderr = stderrLines.join("\n");
  // Warnings carry user file names; only match aws's own error text.
  const errorText = stderrLines.filter((l) => !l.startsWith("warning: ")).join("\n");
  const detail = mainErrorLine(stderrLines) ?? `exit code ${exitCode ?? "unknown"}`;
  for (const rule of RULES) {
    if (rule.test.test(errorText)) {
      return new AwsCliError(rule.code, `${rule.message} aws said: ${detail}`, {
        hint: rule.hint,
        exitCode,
        stderr,
        retryable: rule.retryable ?? false,
      });
    }
  }
  const usage = exitCode === 252 || /^usage: |Unknown options:|Bad value for|aws: error:/m.test(errorText);
  return new AwsCliError("AWS_CLI_FAILED", `aws s3 sync failed (exit code ${exitCode ?? "unknown"}): ${detail}`, {
    hint: usage
      ? "The aws CLI rejected the arguments: check the target's settings (endpoint URL, storage class, excludes) and that the aws CLI is recent."
      : "See the aws output above; run the same command in a terminal for details.",
    exitCode,
    stderr,
  });
}
