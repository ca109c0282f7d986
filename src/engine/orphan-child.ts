// An `aws s3 sync` left running by a run that was killed (SIGKILL, a Raycast worker torn down): its parent is
// gone, the volume's lock is stale, and the child goes on uploading and deleting. The lock records the child
// (pid, start time, command line); before a later run takes the lock, it checks whether that process still
// runs and is really that aws (pids are reused: the command line and the start time must both agree), and
// stops it the way a user's Ctrl-C does, so that aws aborts its multipart uploads.
import { execFile } from "node:child_process";
import { SmartSyncError } from "./errors";

export interface ChildRecord {
  pid: number;
  /** ISO time the child was started. */
  startedAt: string;
  /** argv, the binary first (as redactCommand gives it). */
  command: string[];
}

export interface StopOptions {
  /** How long aws gets to cancel after SIGINT, before SIGTERM and SIGKILL (default 10 s). */
  graceMs?: number;
}

/** The start time of a live process may differ from the recorded one by this much (ps counts whole seconds). */
const START_TOLERANCE_MS = 5_000;
const POLL_MS = 100;

interface ProcessView {
  state: string;
  /** Seconds since it started, when ps said. */
  elapsedS?: number;
  args: string;
}

/** What `ps` says of a pid (macOS and Linux alike), or undefined when there is no such process. */
function inspect(pid: number): Promise<ProcessView | undefined> {
  return new Promise((resolve) => {
    execFile("ps", ["-ww", "-o", "stat=,etime=,args=", "-p", String(pid)], (error, stdout) => {
      const line = String(stdout ?? "").trim();
      if (error || line === "") return resolve(undefined);
      const match = /^(\S+)\s+(\S+)\s+(.*)$/s.exec(line);
      if (!match) return resolve(undefined);
      resolve({ state: match[1], elapsedS: parseElapsed(match[2]), args: match[3] });
    });
  });
}

/** ps's `etime`: `[[dd-]hh:]mm:ss`. */
export function parseElapsed(text: string): number | undefined {
  const match = /^(?:(?:(\d+)-)?(\d+):)?(\d+):(\d+)$/.exec(text);
  if (!match) return undefined;
  const [, days = "0", hours = "0", minutes, seconds] = match;
  return ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60 + Number(seconds);
}

/** True when `view` is the recorded child: same `s3 sync <source> <destination>`, started when recorded. */
export function isRecordedChild(child: ChildRecord, view: ProcessView, now: number): boolean {
  if (view.state.startsWith("Z")) return false; // a zombie no longer runs
  const sync = child.command.slice(1, 5);
  if (sync.length < 4 || sync[0] !== "s3" || sync[1] !== "sync") return false;
  if (!view.args.includes(sync.join(" "))) return false;
  if (view.elapsedS === undefined) return true;
  const started = now - view.elapsedS * 1000;
  return Math.abs(started - Date.parse(child.startedAt)) <= START_TOLERANCE_MS + 1000;
}

/** Whether the recorded aws child still runs. */
export async function recordedChildRunning(child: ChildRecord): Promise<boolean> {
  const view = await inspect(child.pid);
  return view !== undefined && isRecordedChild(child, view, Date.now());
}

/**
 * Stops the recorded aws child if it still runs: SIGINT (aws cancels its transfers and aborts multipart
 * uploads), then SIGTERM, then SIGKILL. Returns false when it was not running. Throws when it cannot be
 * stopped (another user's process): two aws on one volume must never run at once.
 */
export async function stopRecordedChild(child: ChildRecord, options: StopOptions = {}): Promise<boolean> {
  if (!(await recordedChildRunning(child))) return false;
  const grace = options.graceMs ?? 10_000;
  for (const [signal, waitMs] of [
    ["SIGINT", grace],
    ["SIGTERM", 3_000],
    ["SIGKILL", 3_000],
  ] as const) {
    try {
      process.kill(child.pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ESRCH") return true;
      throw cannotStop(child, error);
    }
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (!(await recordedChildRunning(child))) return true;
    }
  }
  throw cannotStop(child);
}

function cannotStop(child: ChildRecord, cause?: unknown): SmartSyncError {
  return new SmartSyncError(
    "LOCKED",
    `An aws s3 sync started by an earlier run (pid ${child.pid}, since ${child.startedAt}) is still running on this volume and could not be stopped.`,
    { hint: `Stop it (kill ${child.pid}) and run again.`, retryable: true, cause },
  );
}
