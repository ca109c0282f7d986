// `schedule install|status|remove` for terminal users: the LaunchAgent it writes (StartInterval,
// StartOnMount, the log where `status` looks), and its command line run as launchd would run it, against
// the local S3 server.
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { execa } from "execa";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { agentPlist, AGENT_PATH, parseInterval, readAgent } from "../../src/cli/schedule";
import { AWS_CLIS } from "../support/cli";
import { bundledCli, disposeBundledCli, runBundled } from "../support/fast-cli";
import { useS3Fixture } from "../support/fixture";
import { awsEnv } from "../support/local-s3";

const fx = useS3Fixture("sched");
const homes: string[] = [];
afterAll(async () => {
  await disposeBundledCli();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function home(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "s3ss-home-"));
  homes.push(dir);
  return dir;
}

describe("schedule", () => {
  it("reads intervals as a person writes them", () => {
    expect(parseInterval("30m")).toBe(1800);
    expect(parseInterval("2h")).toBe(7200);
    expect(parseInterval("1d")).toBe(86400);
    expect(parseInterval("900")).toBe(900);
    expect(() => parseInterval("10s")).toThrow(/at least a minute/);
    expect(() => parseInterval("soon")).toThrow(/not an interval/);
  });

  it("escapes what it writes into the plist and reads it back", async () => {
    const dir = home();
    const file = path.join(dir, "agent.plist");
    const spec = {
      programArguments: ["/usr/bin/node", "/Users/me/A & B <x>/cli.mjs", "batch"],
      intervalSeconds: 600,
      logPath: "/tmp/log & more.log",
      env: { PATH: AGENT_PATH },
    };
    writeFileSync(file, agentPlist(spec));
    expect(readFileSync(file, "utf8")).toContain("<string>/Users/me/A &amp; B &lt;x&gt;/cli.mjs</string>");
    expect(await readAgent(file)).toEqual(spec);
  });

  it("installs a LaunchAgent whose command line syncs changed volumes and logs where status finds it", async () => {
    const HOME = home();
    const b = await fx.freshBucket();
    const v = fx.volume();
    v.file("song.flac", 4000);
    const config = path.join(HOME, "smart.conf");
    writeFileSync(config, `${v.root} | ${b} | | | endpoint=${fx.local.endpoint}, name=Vault\n`);
    const env = { HOME };

    const install = await runBundled(
      ["schedule", "install", "-c", config, "--every", "30m", "--aws-cli", AWS_CLIS[0]!.path],
      { local: fx.local, env },
    );
    expect(install.exitCode, install.stderr).toBe(0);
    const plistFile = path.join(HOME, "Library/LaunchAgents/com.s3-smart-sync.batch.plist");
    expect(install.stdout).toContain(`Wrote ${plistFile}`);
    expect(install.stdout).toContain("Not macOS: launchd is not here");
    const text = readFileSync(plistFile, "utf8");
    expect(text).toMatch(/<key>StartInterval<\/key>\s*<integer>1800<\/integer>/);
    expect(text).toMatch(/<key>StartOnMount<\/key>\s*<true\/>/);
    expect(text).toMatch(/<key>Label<\/key>\s*<string>com.s3-smart-sync.batch<\/string>/);
    const agent = (await readAgent(plistFile))!;
    const logPath = path.join(HOME, "Library/Logs/s3-smart-sync/batch.log");
    expect(agent.logPath).toBe(logPath);
    expect(agent.env.PATH).toBe("/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
    expect(agent.programArguments).toEqual([
      process.execPath,
      await bundledCli(),
      "batch",
      "--if-changed",
      "--notify-failures",
      "--no-progress",
      "--config",
      config,
      "--aws-cli",
      AWS_CLIS[0]!.path,
    ]);

    // Run it as launchd would: its own environment (plus the test server's credentials), output to the log.
    const [program, ...args] = agent.programArguments;
    mkdirSync(path.dirname(logPath), { recursive: true });
    const runOnce = () =>
      execa(program!, args, {
        env: { ...awsEnv(fx.local), ...agent.env, HOME },
        extendEnv: false,
        stdout: { file: logPath, append: true },
        stderr: { file: logPath, append: true },
        reject: false,
      });
    expect((await runOnce()).exitCode).toBe(0);
    await fx.s3.client.send(new HeadObjectCommand({ Bucket: b, Key: "song.flac" }));
    expect((await runOnce()).exitCode).toBe(0); // nothing changed: left alone

    const status = await runBundled(["schedule", "status"], { local: fx.local, env });
    expect(status.stdout).toContain(`Installed: ${plistFile}`);
    expect(status.stdout).toContain("Runs every 30 min and when a volume is mounted");
    expect(status.stdout).toContain(`Log: ${logPath} (last written `);
    expect(status.stdout).toMatch(/ {2}Vault: .* → s3:\/\//);
    expect(status.stdout).toContain("  Up to date, not synced: Vault");

    const removed = await runBundled(["schedule", "remove"], { local: fx.local, env });
    expect(removed.stdout).toContain(`Removed ${plistFile}: scheduled sync is off.`);
    expect(existsSync(plistFile)).toBe(false);
    const after = await runBundled(["schedule", "status", "--json"], { local: fx.local, env });
    expect(JSON.parse(after.stdout)).toEqual({ installed: false, plist: plistFile });
  });
});
