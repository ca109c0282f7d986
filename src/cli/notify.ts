// The worker's end-of-run notification (macOS Notification Center through `osascript`, no dependency): how
// a sync started from a hotkey reports back after Raycast's command has returned.
import { execFile } from "node:child_process";

/** AppleScript string literal: backslashes and quotes escaped, line breaks flattened. */
function appleScriptString(text: string): string {
  return `"${text
    .replace(/[\r\n]+/g, " ")
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')}"`;
}

/** osascript's arguments for a notification (an argument array: no shell is involved). */
export function notificationArgs(title: string, message: string): string[] {
  return ["-e", `display notification ${appleScriptString(message)} with title ${appleScriptString(title)}`];
}

export interface NotifyOptions {
  platform?: NodeJS.Platform;
  /** Runs osascript; replaced in tests. */
  run?: (file: string, args: string[]) => Promise<void>;
}

function runFile(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 10_000 }, (error) => (error ? reject(error) : resolve()));
  });
}

/** Shows the notification on macOS; elsewhere (and on any failure) returns false. Never throws. */
export async function notify(title: string, message: string, options: NotifyOptions = {}): Promise<boolean> {
  if ((options.platform ?? process.platform) !== "darwin") return false;
  try {
    await (options.run ?? runFile)("/usr/bin/osascript", notificationArgs(title, message));
    return true;
  } catch {
    return false;
  }
}
