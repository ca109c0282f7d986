// Helpers for the failure tests: run the CLI so it can be SIGKILLed as a whole process group (its aws child
// included, like a laptop losing power), and replay a request log to check that no object was ever lost.
import { execa, type ResultPromise } from "execa";
import { awsEnv, type LocalS3Control, type RequestLogEntry } from "./local-s3";

export interface KillableRun {
  pid: number;
  done: ResultPromise;
  exited: () => boolean;
}

/** Starts the CLI (`bin`) in a process group of its own, so a kill reaches the aws CLI it spawned too. */
export function startCli(
  bin: string,
  args: string[],
  local: { endpoint: string },
  env: NodeJS.ProcessEnv = {},
): KillableRun {
  let finished = false;
  const done = execa(process.execPath, [bin, ...args], {
    reject: false,
    env: { ...awsEnv(local), ...env },
    extendEnv: false,
    stdin: "ignore",
    detached: true,
  });
  void done.finally(() => (finished = true));
  return { pid: done.pid!, done, exited: () => finished };
}

export function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the proxy has seen more than `n` requests (request n+1 onwards hang under
 * failAfterRequests n + failMode "hang") and every one of the first n has been answered, then kills the
 * run's process group. Returns false when the run finished before reaching n + 1 requests.
 */
export async function killAfterRequests(run: KillableRun, control: LocalS3Control, n: number): Promise<boolean> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (run.exited()) return false;
    const stats = await control.stats();
    if (stats.requests > n) {
      // Sequence numbers are global to the server; the log holds this run's requests only.
      const log = (await control.requests()).sort((a, b) => a.seq - b.seq);
      const inFlight = log.slice(0, n).filter((e) => e.status === 0 && !e.fault);
      if (inFlight.length === 0) {
        killGroup(run.pid);
        await run.done;
        return true;
      }
    }
    await sleep(10);
  }
  killGroup(run.pid);
  throw new Error(`the run never reached ${n} requests`);
}

const OK = (status: number) => status >= 200 && status < 300;

/**
 * Replays successful writes of a request log over the bucket's key → content map (content = sha256 or a
 * marker for new uploads) and calls `check` after each step. Returns the final map.
 */
export function replayLog(
  initial: Record<string, string>,
  log: readonly RequestLogEntry[],
  bucket: string,
  check: (state: Map<string, string>, entry: RequestLogEntry) => void,
): Map<string, string> {
  const state = new Map(Object.entries(initial));
  for (const entry of [...log].sort((a, b) => a.seq - b.seq)) {
    if (entry.bucket !== bucket || !OK(entry.status)) continue;
    switch (entry.op) {
      case "CopyObject": {
        const content = state.get(entry.source!.key);
        if (content === undefined)
          throw new Error(`copy #${entry.seq} from a key the model lacks: ${entry.source!.key}`);
        state.set(entry.key, content);
        break;
      }
      case "DeleteObject":
        state.delete(entry.key);
        break;
      case "DeleteObjects":
        for (const key of entry.keys ?? []) state.delete(key);
        break;
      case "PutObject":
      case "CompleteMultipartUpload":
        state.set(entry.key, `uploaded#${entry.seq}`);
        break;
      default:
        continue;
    }
    check(state, entry);
  }
  return state;
}

/** Keys a log shows bytes being uploaded to (PutObject, multipart uploads). */
export function uploadedKeys(log: readonly RequestLogEntry[], bucket: string): string[] {
  const ops = new Set(["PutObject", "CreateMultipartUpload", "UploadPart"]);
  return [...new Set(log.filter((e) => e.bucket === bucket && ops.has(e.op)).map((e) => e.key))].sort();
}
