// `batch --keep-awake`: an upload of hours started from a hotkey must not stall when the Mac idles to sleep.
// macOS's `caffeinate -i -w <pid>` holds an idle-sleep assertion until the worker exits; nothing elsewhere.
import { spawn } from "node:child_process";

export const CAFFEINATE = "/usr/bin/caffeinate";

/** caffeinate's arguments: no idle sleep (-i) while `pid` lives (-w). */
export function keepAwakeArgs(pid: number): string[] {
  return ["-i", "-w", String(pid)];
}

export interface KeepAwakeOptions {
  platform?: NodeJS.Platform;
  pid?: number;
  /** Starts the process; replaced in tests. */
  start?: (file: string, args: string[]) => void;
}

function startDetached(file: string, args: string[]): void {
  const child = spawn(file, args, { stdio: "ignore" });
  child.on("error", () => undefined);
  child.unref();
}

/** Starts caffeinate for this process on macOS; returns whether it did. Never throws. */
export function keepAwake(options: KeepAwakeOptions = {}): boolean {
  if ((options.platform ?? process.platform) !== "darwin") return false;
  try {
    (options.start ?? startDetached)(CAFFEINATE, keepAwakeArgs(options.pid ?? process.pid));
    return true;
  } catch {
    return false;
  }
}
