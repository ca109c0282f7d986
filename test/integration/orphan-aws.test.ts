// A run killed while its `aws s3 sync` child keeps going (the CLI SIGKILLed alone, as when Raycast tears its
// worker down): the next run must not start a second aws on the same volume. It finds the child recorded in the
// stale lock, checks that the process is really that aws, stops it, says so, and then syncs; the bucket ends
// holding the volume's bytes. Through the real CLI and both aws CLIs, aws held up by uploads the server
// does not answer (the fault proxy's hang).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LOCK_FILE_NAME, type LockInfo } from "../../src/engine/lock";
import { AWS_CLIS, awsCliArgs } from "../support/cli";
import { startCli } from "../support/crash";
import { bundledCli, disposeBundledCli, runBundled as runCli } from "../support/fast-cli";
import { useS3Fixture } from "../support/fixture";
import { bucketContents, sha } from "../support/volume";

const { local, s3, volume, freshBucket } = useS3Fixture("orphan");
const cleanup: (() => unknown)[] = [];

afterAll(async () => {
  for (const step of cleanup) step();
  await local.clearFaults();
  await disposeBundledCli();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function lockChild(root: string): LockInfo["child"] {
  try {
    return (JSON.parse(readFileSync(path.join(root, LOCK_FILE_NAME), "utf8")) as LockInfo).child;
  } catch {
    return undefined;
  }
}

/** Whether the pid is a running (not zombie) `aws s3 sync` process. */
function awsRunning(pid: number): boolean {
  try {
    const out = execFileSync("ps", ["-ww", "-o", "stat=,args=", "-p", String(pid)])
      .toString()
      .trim();
    return !out.startsWith("Z") && out.includes(" s3 sync ");
  } catch {
    return false;
  }
}

async function untilAsync<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe.each(AWS_CLIS)("an orphaned aws child with $name", ({ path: awsPath }) => {
  it("is stopped by the next run before that run starts its own aws; the bucket ends right", async () => {
    const bucket = await freshBucket();
    const v = volume();
    const files = Array.from({ length: 30 }, (_, i) => `Music/track ${String(i).padStart(2, "0")}.mp3`);
    for (const rel of files) v.file(rel, 40_000);
    const args = ["sync", v.root, bucket, "--json", "--no-progress", ...awsCliArgs(local, awsPath)];

    // Uploads hang: the first aws stays busy for as long as the test needs, whatever the machine's load.
    await local.setFaults({ hang: true, operations: ["PutObject"] });
    const first = startCli(await bundledCli(), args, local);
    const orphan = await until("the first aws to be recorded in the lock", () => lockChild(v.root));
    cleanup.push(() => awsRunning(orphan.pid) && process.kill(orphan.pid, "SIGKILL"));
    await untilAsync("the first aws's first upload", async () =>
      (await local.requests()).some((e) => e.op === "PutObject") ? true : undefined,
    );
    process.kill(first.pid, "SIGKILL"); // the CLI alone: its aws child keeps going
    await first.done;
    expect(awsRunning(orphan.pid)).toBe(true);

    // The second run, watched through the lock: when its own aws shows up, the first must be gone. Its
    // uploads hang too until then, so the watcher cannot miss it; then they are let through.
    let firstAliveWhenSecondStarted: boolean | undefined;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const child = lockChild(v.root);
        if (child && child.pid !== orphan.pid && firstAliveWhenSecondStarted === undefined) {
          firstAliveWhenSecondStarted = awsRunning(orphan.pid);
          await local.clearFaults();
        }
        await sleep(10);
      }
    })();
    const second = await runCli(args, { local });
    watching = false;
    await watcher;
    await local.clearFaults();

    expect(second.exitCode, second.stdout + second.stderr).toBe(0);
    expect(second.reports[0].notices).toContainEqual(
      expect.stringContaining(`(pid ${orphan.pid}, since ${orphan.startedAt}) was still running on this volume`),
    );
    expect(firstAliveWhenSecondStarted).toBe(false);
    expect(awsRunning(orphan.pid)).toBe(false);
    expect(await bucketContents(s3.client, bucket)).toEqual(Object.fromEntries(files.map((f) => [f, sha(v.read(f))])));
  });
});
