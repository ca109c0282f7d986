// The argv of `aws s3 sync`, built as an array: names with spaces, `#` or `%` need no quoting.
import type { AwsSyncOptions } from "./types";

export type AwsSyncArgsOptions = Pick<
  AwsSyncOptions,
  "source" | "destination" | "filters" | "delete" | "dryRun" | "endpointUrl" | "profile" | "region" | "storageClass"
>;

/**
 * Arguments after the binary. Values go as `--name=value`: aws's argparse rejects `--exclude -x`
 * ("expected 1 argument") when a pattern starts with "-". `--endpoint-url` is explicit because
 * aws-cli 1.x ignores AWS_ENDPOINT_URL.
 */
export function buildAwsSyncArgs(opts: AwsSyncArgsOptions): string[] {
  // A relative root starting with "-" would read as an option.
  const source = opts.source.startsWith("-") ? `./${opts.source}` : opts.source;
  const args = ["s3", "sync", source, opts.destination];
  if (opts.delete ?? true) args.push("--delete");
  for (const rule of opts.filters) args.push(`--${rule.type}=${rule.pattern}`);
  if (opts.dryRun) args.push("--dryrun");
  if (opts.storageClass) args.push(`--storage-class=${opts.storageClass}`);
  if (opts.endpointUrl) args.push(`--endpoint-url=${opts.endpointUrl}`);
  if (opts.profile) args.push(`--profile=${opts.profile}`);
  if (opts.region) args.push(`--region=${opts.region}`);
  return args;
}

/** The command line for logs: a user:password in the endpoint URL is masked. */
export function redactCommand(argv: string[]): string[] {
  return argv.map((arg) => arg.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, "$1***@"));
}
