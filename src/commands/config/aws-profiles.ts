// The AWS profiles a user has, for Edit Config's profile dropdown: the sections of ~/.aws/config
// (`[default]`, `[profile name]`) and ~/.aws/credentials (`[name]`), or the files AWS_CONFIG_FILE and
// AWS_SHARED_CREDENTIALS_FILE name, as the aws CLI and the SDK read them.
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** Profile names in an AWS config (`config`) or credentials (`credentials`) file's text. */
export function profileNames(text: string, kind: "config" | "credentials"): string[] {
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const section = /^\s*\[\s*([^\]]+?)\s*\]\s*(?:[#;].*)?$/.exec(line)?.[1];
    if (!section) continue;
    if (kind === "credentials") names.push(section);
    else if (section === "default") names.push("default");
    else {
      const profile = /^profile\s+(.+)$/.exec(section)?.[1];
      if (profile) names.push(profile.trim());
    }
  }
  return names;
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch {
    return "";
  }
}

export async function readAwsProfiles(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const home = os.homedir();
  const [config, credentials] = await Promise.all([
    readText(env.AWS_CONFIG_FILE || path.join(home, ".aws/config")),
    readText(env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, ".aws/credentials")),
  ]);
  const all = [...profileNames(config, "config"), ...profileNames(credentials, "credentials")];
  return [...new Set(all)].sort((a, b) => (a === "default" ? -1 : b === "default" ? 1 : a.localeCompare(b)));
}

/** AWS's commercial regions, for the region dropdown (any other name can still be typed). */
export const AWS_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "af-south-1",
  "ap-east-1",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-south-1",
  "eu-south-2",
  "eu-north-1",
  "il-central-1",
  "me-south-1",
  "me-central-1",
  "mx-central-1",
  "sa-east-1",
];
