// Starts and stops the local S3 child process (fauxqs + proxy, see child.mjs).
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./child.mjs", import.meta.url));
const START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 2_000;

export interface ChildServer {
  pid: number;
  endpoint: string;
  serverEndpoint: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Belt and braces: the child also exits when its stdin pipe closes.
  process.on("exit", () => {
    for (const child of running) child.kill("SIGKILL");
  });
}

export async function spawnLocalS3(buckets: string[]): Promise<ChildServer> {
  installExitHook();
  const child = spawn(process.execPath, [CHILD, "--buckets", JSON.stringify(buckets)], {
    stdio: ["pipe", "pipe", "pipe"],
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  exited.then(() => running.delete(child));

  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (d: string) => {
    stderr = (stderr + d).slice(-8_000);
  });

  const ready = await new Promise<{ endpoint: string; serverEndpoint: string }>((resolve, reject) => {
    let out = "";
    let settled = false;
    const timer = setTimeout(
      () => fail(new Error(`local S3 did not start within ${START_TIMEOUT_MS} ms`)),
      START_TIMEOUT_MS,
    );
    function fail(err: Error): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${err.message}\n${stderr}`));
    }
    child.once("error", fail);
    child.once("exit", (code, signal) => fail(new Error(`local S3 exited during startup (${code ?? signal})`)));
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (d: string) => {
      out += d;
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (!line || !out.includes("\n")) return;
      try {
        const parsed = JSON.parse(line);
        settled = true;
        clearTimeout(timer);
        resolve(parsed);
      } catch (err) {
        fail(err as Error);
      }
    });
  });

  // Let a forgotten stop() not keep the parent alive; the child still dies with the parent.
  child.unref();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  (child.stderr as unknown as { unref?: () => void }).unref?.();

  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid!,
    endpoint: ready.endpoint,
    serverEndpoint: ready.serverEndpoint,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.ref();
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}
