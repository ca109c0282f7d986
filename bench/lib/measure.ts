// Wall time, CPU time and peak RSS of a command, through GNU time (`/usr/bin/time -f`), output discarded.
import { spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";

export interface CommandCost {
  wallMs: number;
  cpuMs: number;
  maxRssKiB: number;
  stdout?: string;
}

export function runMeasured(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; keepStdout?: boolean } = {},
): CommandCost {
  const devNull = openSync("/dev/null", "w");
  try {
    const result = spawnSync("/usr/bin/time", ["-f", "@@time %e %U %S %M", command, ...args], {
      env: options.env ?? process.env,
      stdio: ["ignore", options.keepStdout ? "pipe" : devNull, "pipe"],
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    const line = result.stderr.split("\n").find((l) => l.startsWith("@@time "));
    if (result.status !== 0 || !line)
      throw new Error(`${command} ${args.join(" ")} failed (${result.status}):\n${result.stderr.slice(-3000)}`);
    const [wall, user, sys, rss] = line.slice(7).split(" ").map(Number);
    return {
      wallMs: Math.round(wall * 1000),
      cpuMs: Math.round((user + sys) * 1000),
      maxRssKiB: rss,
      stdout: options.keepStdout ? result.stdout : undefined,
    };
  } finally {
    closeSync(devNull);
  }
}
