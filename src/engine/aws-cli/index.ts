// The aws CLI runner: locate `aws`, run `aws s3 sync`, parse what it prints (index of this folder).
export type { AwsCliInfo, AwsEvent, AwsSyncOptions, AwsSyncOutcome, AwsSyncResult } from "./types";
export { locateAwsCli, awsCandidates, parseAwsVersion, WELL_KNOWN_AWS_PATHS, type LocateOptions } from "./locate";
export { buildAwsSyncArgs, redactCommand, type AwsSyncArgsOptions } from "./args";
export {
  parseAwsLine,
  parseHumanSize,
  splitAwsOutput,
  splitS3Uri,
  destinationPrefix,
  type ParseContext,
} from "./parse";
export { classifyAwsFailure } from "./classify";
export { runAwsSync, awsChildEnv } from "./run";
export { withS3Settings, awsProfileName, awsAddressingStyle, type AwsS3Settings } from "./s3-settings";
