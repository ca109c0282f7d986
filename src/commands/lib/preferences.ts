// The extension's preferences, with `~` expanded and empty fields as undefined.
import { getPreferenceValues } from "@raycast/api";
import os from "node:os";
import path from "node:path";

export interface Settings {
  configPath: string;
  awsCliPath?: string;
  awsProfile?: string;
}

export function expandHome(file: string): string {
  if (file === "~") return os.homedir();
  return file.startsWith("~/") ? path.join(os.homedir(), file.slice(2)) : file;
}

export function readSettings(): Settings {
  const values = getPreferenceValues<Preferences>();
  const text = (value: string | undefined) => value?.trim() || undefined;
  return {
    configPath: expandHome(text(values.configPath) ?? "~/.s3-smart-sync.conf"),
    awsCliPath: text(values.awsCliPath) && expandHome(text(values.awsCliPath)!),
    awsProfile: text(values.awsProfile),
  };
}
