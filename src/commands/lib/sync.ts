// Starting a sync from a command and following it: the animated toast while the worker runs, a HUD (no-view
// command) or a success toast (list command) at the end, the failure helper when a target failed.
import { showHUD, showToast, Toast } from "@raycast/api";
import { logFilePath, readConfig } from "./engine";
import type { Settings } from "./preferences";
import { syncSummary } from "./summary";
import { showFailure } from "./toast";
import { runningSync, startWorker, waitForSync, workerLogPath, type SyncState } from "./worker";

export interface SyncOptions {
  /** Only these targets (Status' "Sync This Target"); every target by default. */
  only?: string[];
  /** "hud" closes Raycast's window with the summary (the no-view command); "toast" keeps the view. */
  finish: "hud" | "toast";
  intervalMs?: number;
}

export async function syncWithToast(settings: Settings, options: SyncOptions): Promise<SyncState | undefined> {
  const running = await runningSync();
  if (running) {
    const text = `A sync is already running: ${running.progress}`;
    if (options.finish === "hud") await showHUD(text);
    else await showToast({ style: Toast.Style.Failure, title: "A Sync Is Already Running", message: running.progress });
    return undefined;
  }

  const configFile = settings.configPath;
  const read = await readConfig(configFile);
  if (read.kind === "missing") {
    await showFailure(
      "No Config File",
      { code: "CONFIG_MISSING", message: `No config file at ${configFile}.`, hint: "Create it with Edit Config." },
      {},
    );
    return undefined;
  }
  const { problems, targets } = read.config;
  if (problems.length > 0) {
    const first = problems[0]!;
    await showFailure(
      "Config Has Errors",
      {
        code: "CONFIG_INVALID",
        message: `Line ${first.line}: ${first.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ""}`,
      },
      { configFile },
    );
    return undefined;
  }
  if (targets.length === 0) {
    await showFailure(
      "No Targets",
      { code: "CONFIG_INVALID", message: "The config lists no targets." },
      { configFile },
    );
    return undefined;
  }

  const toast = await showToast({
    style: Toast.Style.Animated,
    title: options.only?.length === 1 ? `Syncing ${options.only[0]}` : "Syncing All Targets",
    message: "Starting",
  });
  const pid = startWorker(settings, { only: options.only });
  const state = await waitForSync(pid, {
    intervalMs: options.intervalMs,
    onProgress: (s) => {
      toast.message = s.progress;
    },
  });
  await toast.hide();

  if (state.error) {
    await showFailure(`Sync Failed`, state.error, {
      configFile,
      logFile: workerLogPath(),
      retry: () => syncWithToast(settings, options),
    });
    return state;
  }
  const failed = state.reports.filter((r) => r.status === "failed");
  if (failed.length > 0) {
    const first = failed[0]!;
    const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : "";
    await showFailure(
      `Sync Failed: ${first.target}${more}`,
      first.error ?? { code: "UNEXPECTED", message: "Unknown error." },
      {
        configFile,
        logFile: logFilePath(first.localPath, first.logFile) ?? workerLogPath(),
        retry: () => syncWithToast(settings, { ...options, only: failed.map((r) => r.target) }),
      },
    );
    return state;
  }
  const summary = syncSummary(state.reports);
  if (options.finish === "hud") await showHUD(summary);
  else await showToast({ style: Toast.Style.Success, title: "Sync Finished", message: summary });
  return state;
}
