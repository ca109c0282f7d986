// `s3-smart-sync schedule install|status|remove`: scheduled sync for terminal users, without Raycast. A
// per-user LaunchAgent runs `batch --if-changed` every interval and whenever a volume is mounted
// (StartOnMount), with its output in ~/Library/Logs/s3-smart-sync/batch.log, where `status` finds it.
//
// Decisions:
// - The agent runs this very CLI with this very Node (absolute paths): launchd's PATH has neither, and an
//   upgrade of either is picked up by running `schedule install` again.
// - `--if-changed`: a volume without local changes is not synced, which spares aws a listing of the whole
//   bucket every interval; a run that failed leaves its changes pending, so the next interval retries it.
// - `--notify-failures`: nobody watches a scheduled run; a failure shows as a macOS notification.
// - launchd starts jobs with PATH=/usr/bin:/bin:/usr/sbin:/sbin: Homebrew's folders are added for `aws`.
import { execFile } from "node:child_process";
import { mkdir, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { defaultConfigPath } from "../engine/config";
import { SmartSyncError } from "../engine/errors";
import type { CliIO, GlobalOptions } from "./main";
import { EXIT } from "./output";

export const AGENT_LABEL = "com.s3-smart-sync.batch";
export const AGENT_PATH = "/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
export const DEFAULT_INTERVAL_S = 3600;

export function agentPlistPath(home = os.homedir()): string {
  return path.join(home, "Library/LaunchAgents", `${AGENT_LABEL}.plist`);
}

export function agentLogPath(home = os.homedir()): string {
  return path.join(home, "Library/Logs/s3-smart-sync/batch.log");
}

/** "90s", "30m", "2h", "1d" or plain seconds → seconds (at least 60: launchd is not for tighter loops). */
export function parseInterval(text: string): number {
  const match = /^(\d+)\s*([smhd]?)$/i.exec(text.trim());
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[(match?.[2] ?? "").toLowerCase()];
  const seconds = match && unit ? Number(match[1]) * unit : NaN;
  if (!Number.isInteger(seconds) || seconds < 60)
    throw new SmartSyncError("USAGE", `"${text}" is not an interval of at least a minute.`, {
      hint: "Write it like 30m, 2h or 1d.",
    });
  return seconds;
}

export interface AgentSpec {
  programArguments: string[];
  intervalSeconds: number;
  logPath: string;
  env: Record<string, string>;
}

function xml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The LaunchAgent's property list. */
export function agentPlist(spec: AgentSpec): string {
  const strings = (values: string[]) => values.map((v) => `\t\t<string>${xml(v)}</string>`).join("\n");
  const env = Object.entries(spec.env)
    .map(([k, v]) => `\t\t<key>${xml(k)}</key>\n\t\t<string>${xml(v)}</string>`)
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
\t<key>Label</key>
\t<string>${AGENT_LABEL}</string>
\t<key>ProgramArguments</key>
\t<array>
${strings(spec.programArguments)}
\t</array>
\t<key>EnvironmentVariables</key>
\t<dict>
${env}
\t</dict>
\t<key>StartInterval</key>
\t<integer>${spec.intervalSeconds}</integer>
\t<key>StartOnMount</key>
\t<true/>
\t<key>RunAtLoad</key>
\t<false/>
\t<key>StandardOutPath</key>
\t<string>${xml(spec.logPath)}</string>
\t<key>StandardErrorPath</key>
\t<string>${xml(spec.logPath)}</string>
</dict>
</plist>
`;
}

/** Reads back what `agentPlist` wrote (the keys `status` shows); undefined without a file. */
export async function readAgent(file = agentPlistPath()): Promise<AgentSpec | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  const unxml = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const block = (key: string, tag: string) =>
    new RegExp(`<key>${key}</key>\\s*<${tag}>([\\s\\S]*?)</${tag}>`).exec(text)?.[1] ?? "";
  const strings = (s: string) => [...s.matchAll(/<string>([\s\S]*?)<\/string>/g)].map((m) => unxml(m[1]!));
  const envPairs = [...block("EnvironmentVariables", "dict").matchAll(/<key>(.*?)<\/key>\s*<string>(.*?)<\/string>/g)];
  return {
    programArguments: strings(block("ProgramArguments", "array")),
    intervalSeconds: Number(/<key>StartInterval<\/key>\s*<integer>(\d+)<\/integer>/.exec(text)?.[1] ?? 0),
    logPath: unxml(/<key>StandardOutPath<\/key>\s*<string>(.*?)<\/string>/.exec(text)?.[1] ?? ""),
    env: Object.fromEntries(envPairs.map((m) => [unxml(m[1]!), unxml(m[2]!)])),
  };
}

function launchctl(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile("/bin/launchctl", args, { timeout: 15_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

const isMac = () => process.platform === "darwin";
const domain = () => `gui/${os.userInfo().uid}`;

export interface ScheduleOptions extends GlobalOptions {
  every?: string;
}

async function installAgent(io: CliIO, o: ScheduleOptions): Promise<number> {
  const home = os.homedir();
  const script = await realpath(process.argv[1] ?? "");
  const config = path.resolve(o.config ?? defaultConfigPath());
  const passOn: string[] = [];
  if (o.profile) passOn.push("--profile", o.profile);
  if (o.region) passOn.push("--region", o.region);
  if (o.endpointUrl) passOn.push("--endpoint-url", o.endpointUrl);
  if (o.awsCli) passOn.push("--aws-cli", path.resolve(o.awsCli));
  if (o.concurrency) passOn.push("--concurrency", String(o.concurrency));
  const spec: AgentSpec = {
    programArguments: [
      process.execPath,
      script,
      "batch",
      "--if-changed",
      "--notify-failures",
      "--no-progress",
      "--config",
      config,
      ...passOn,
    ],
    intervalSeconds: o.every ? parseInterval(o.every) : DEFAULT_INTERVAL_S,
    logPath: agentLogPath(home),
    env: { PATH: AGENT_PATH },
  };
  const file = agentPlistPath(home);
  await mkdir(path.dirname(file), { recursive: true });
  await mkdir(path.dirname(spec.logPath), { recursive: true });
  await writeFile(file, agentPlist(spec));
  const lines = [
    `Wrote ${file}`,
    `Runs every ${describeInterval(spec.intervalSeconds)} and when a volume is mounted: ${spec.programArguments.join(" ")}`,
    `Log: ${spec.logPath}`,
  ];
  if (isMac()) {
    await launchctl(["bootout", `${domain()}/${AGENT_LABEL}`]);
    const loaded = await launchctl(["bootstrap", domain(), file]);
    lines.push(
      loaded.code === 0
        ? "Loaded: scheduled sync is on."
        : `launchctl could not load it (${loaded.output.trim() || `exit ${loaded.code}`}); it loads at next login.`,
    );
  } else {
    lines.push("Not macOS: launchd is not here, so the agent was written but not loaded.");
  }
  io.stdout.write(o.json ? JSON.stringify({ plist: file, ...spec, loaded: isMac() }) + "\n" : lines.join("\n") + "\n");
  return EXIT.OK;
}

function describeInterval(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

async function tail(file: string, lines: number): Promise<{ text: string[]; modified?: string }> {
  try {
    const [text, info] = await Promise.all([readFile(file, "utf8"), stat(file)]);
    return { text: text.trimEnd().split("\n").slice(-lines), modified: info.mtime.toISOString() };
  } catch {
    return { text: [] };
  }
}

async function agentStatus(io: CliIO, o: ScheduleOptions): Promise<number> {
  const file = agentPlistPath();
  const spec = await readAgent(file);
  if (!spec) {
    io.stdout.write(
      o.json
        ? JSON.stringify({ installed: false, plist: file }) + "\n"
        : `Scheduled sync is not installed (${file} does not exist). Run \`s3-smart-sync schedule install\`.\n`,
    );
    return EXIT.OK;
  }
  let loaded: boolean | undefined;
  let lastExit: number | undefined;
  if (isMac()) {
    const printed = await launchctl(["print", `${domain()}/${AGENT_LABEL}`]);
    loaded = printed.code === 0;
    const exit = /last exit code = (\d+)/.exec(printed.output)?.[1];
    if (exit !== undefined) lastExit = Number(exit);
  }
  const log = await tail(spec.logPath, 15);
  if (o.json) {
    io.stdout.write(
      JSON.stringify({
        installed: true,
        plist: file,
        ...spec,
        loaded,
        lastExit,
        lastRun: log.modified,
        log: log.text,
      }) + "\n",
    );
    return EXIT.OK;
  }
  const lines = [
    `Installed: ${file}${loaded === undefined ? "" : loaded ? " (loaded)" : " (not loaded: log out and in, or run install again)"}`,
    `Runs every ${describeInterval(spec.intervalSeconds)} and when a volume is mounted: ${spec.programArguments.join(" ")}`,
    `Log: ${spec.logPath}${log.modified ? ` (last written ${log.modified})` : " (no run yet)"}`,
  ];
  if (lastExit !== undefined) lines.push(`Last exit code: ${lastExit}`);
  if (log.text.length > 0) lines.push("Last lines of the log:", ...log.text.map((l) => `  ${l}`));
  io.stdout.write(lines.join("\n") + "\n");
  return EXIT.OK;
}

async function removeAgent(io: CliIO, o: ScheduleOptions): Promise<number> {
  const file = agentPlistPath();
  const installed = (await readAgent(file)) !== undefined;
  if (isMac()) await launchctl(["bootout", `${domain()}/${AGENT_LABEL}`]);
  await rm(file, { force: true });
  io.stdout.write(
    o.json
      ? JSON.stringify({ removed: installed, plist: file }) + "\n"
      : installed
        ? `Removed ${file}: scheduled sync is off. The log stays at ${agentLogPath()}.\n`
        : `Scheduled sync was not installed.\n`,
  );
  return EXIT.OK;
}

export function scheduleCommand(io: CliIO, action: string, o: ScheduleOptions): Promise<number> {
  if (action === "install") return installAgent(io, o);
  if (action === "status") return agentStatus(io, o);
  if (action === "remove") return removeAgent(io, o);
  throw new SmartSyncError("USAGE", `Unknown schedule action "${action}".`, { hint: "Use install, status or remove." });
}
