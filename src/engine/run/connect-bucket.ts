// Stage 2: the bucket answers with these credentials (before any planning), whether the prefix holds
// objects, and the aws CLI, looked up while the volume is scanned (its --version is a Python start).
import { locateAwsCli, type AwsCliInfo } from "../aws-cli";
import { BucketGateway, getS3Client } from "../s3";
import type { RunContext } from "./context";

export interface ConnectedBucket {
  gateway: BucketGateway;
  /** The prefix holds at least one object. */
  hasObjects: boolean;
  /** Being located; undefined for `moves`, which runs no aws. */
  aws?: Promise<AwsCliInfo | undefined>;
}

export async function connectBucket(ctx: RunContext): Promise<ConnectedBucket> {
  const { target, options } = ctx;
  const aws =
    options.command === "sync"
      ? (async () => (await options.aws) ?? locateAwsCli({ explicit: target.awsCli, env: options.env }))()
      : undefined;
  aws?.catch(() => undefined);
  const gateway = new BucketGateway(
    getS3Client({
      profile: target.profile,
      region: target.region,
      endpointUrl: target.endpointUrl,
      forcePathStyle: target.forcePathStyle,
    }),
    target.bucket,
    {
      multipartCopyThreshold: target.multipartCopyThreshold,
      concurrency: target.concurrency,
      endpoint: target.endpointUrl,
      profile: target.profile,
    },
  );
  const access = await gateway.checkAccess(ctx.prefix ? `${ctx.prefix}/` : "");
  return { gateway, hasObjects: !access.empty, aws };
}
