// Starting a sync from a command and reporting its end. Two flows:
// - syncFromHotkey (Sync All Targets, no view, Raycast's window closed): a HUD says it started; progress
//   lives in the menu bar; the result is a HUD when the worker finishes within QUICK_RESULT_S, otherwise the
//   worker's own notification. Retry and Open Log stay reachable in the menu bar afterwards.
// - syncWithToast (a view is open: Status): an animated toast follows the worker; the end is a success
//   toast or the failure helper, and a refused deletion asks for confirmation before running again.
import { Alert, confirmAlert, launchCommand, LaunchType, showHUD, showToast, Toast } from "@raycast/api";
import { s3Uri } from "../../engine/keys";
import type { TargetReport } from "../../engine/report";
import { deletesOf, type DeleteGuard } from "../../cli/results-file";
import { finishedMessage, syncSummary } from "../../cli/summary";
import { configFailure, logFilePath, readConfig } from "./config";
import type { Settings } from "./preferences";
import { showFailure } from "./toast";
import {
  QUICK_RESULT_S,
  runningSync,
  startWorker,
  waitForSync,
  workerLogPath,
  type SyncState,
  type WorkerOptions,
} from "./worker";

export const MENU_BAR_COMMAND = "menu-bar";

/** Why a sync cannot start now, in a HUD's words; undefined when it can. */
async function cannotStart(settings: Settings): Promise<{ title: string; message: string } | undefined> {
  const running = await runningSync();
  if (running) return { title: "A Sync Is Already Running", message: running.progress };
  const read = await readConfig(settings.configPath);
  const problem = configFailure(read);
  if (problem)
    return {
      title: problem.code === "CONFIG_MISSING" ? "No Config File" : "Config Has Errors",
      message: problem.code === "CONFIG_MISSING" ? "Create it with Edit Config." : problem.message,
    };
  if (read.kind === "read" && read.config.targets.length === 0)
    return { title: "No Targets", message: "Add one with Edit Config." };
  return undefined;
}

/** Asks the menu bar to show the new state now rather than at its next interval (it may be disabled). */
async function refreshMenuBar(): Promise<void> {
  try {
    await launchCommand({ name: MENU_BAR_COMMAND, type: LaunchType.Background });
  } catch {
    // The menu bar command is not enabled: nothing to refresh.
  }
}

/**
 * Sync All Targets from a hotkey. Resolves once the result is shown, or after `quickSeconds` when the worker
 * goes on alone (it then notifies at the end).
 */
export async function syncFromHotkey(
  settings: Settings,
  options: { only?: string[]; quickSeconds?: number } = {},
): Promise<void> {
  const blocked = await cannotStart(settings);
  if (blocked) {
    await showHUD(`${blocked.title}: ${blocked.message}`);
    return;
  }
  const quick = options.quickSeconds ?? QUICK_RESULT_S;
  const pid = startWorker(settings, { only: options.only, keepAwake: true, notifyAfter: quick });
  const what = options.only?.length === 1 ? options.only[0] : "All Targets";
  await showHUD(`Syncing ${what} · Progress in the Menu Bar`);
  await refreshMenuBar();
  // The worker notifies for runs of `quick` seconds or more; a little longer here covers the last write.
  const state = quick > 0 ? await waitForSync(pid, { untilMs: (quick + 2) * 1000 }) : undefined;
  await refreshMenuBar();
  if (!state) return;
  const took = Date.parse(state.finishedAt ?? "") - Date.parse(state.startedAt);
  if (state.notification || !(took < quick * 1000)) return;
  const { title, message, failed, refused } = finishedMessage(state);
  const next = refused ? "Review in Sync Status" : "Retry from the Menu Bar";
  await showHUD(failed ? `${title} · ${message} · ${next}` : message);
}

/** The reports of targets a guard refused for deleting too much, with their counts. */
export function refusedDeletes(reports: readonly TargetReport[]): { report: TargetReport; deletes: DeleteGuard }[] {
  return reports.flatMap((report) => {
    const deletes = deletesOf(report);
    return report.error?.code === "DELETES_REFUSED" && deletes ? [{ report, deletes }] : [];
  });
}

/**
 * A sync refused for deleting more than the cap allows: asks, with the count, and runs that target again
 * with --allow-deletes when the user confirms. Returns whether it did.
 */
export async function confirmDeletes(
  settings: Settings,
  refused: { target: string; bucket: string; prefix: string; deletes: DeleteGuard; message?: string },
  follow: (options: WorkerOptions) => Promise<unknown>,
): Promise<boolean> {
  const { count, objects, limit } = refused.deletes;
  const confirmed = await confirmAlert({
    title: `Delete ${count.toLocaleString("en-US")} Objects in ${s3Uri(refused.bucket, refused.prefix)}?`,
    message:
      `${refused.target}: the sync would delete ${count.toLocaleString("en-US")} objects of ${objects.toLocaleString("en-US")}, ` +
      `more than the ${limit.toLocaleString("en-US")} allowed without asking. Check the volume is the right one first.`,
    primaryAction: { title: "Delete and Sync", style: Alert.ActionStyle.Destructive },
  });
  if (!confirmed) return false;
  await follow({ only: [refused.target], allowDeletes: true });
  return true;
}

export interface ToastSyncOptions extends WorkerOptions {
  intervalMs?: number;
}

/** A sync followed by a toast, for commands with a view. */
export async function syncWithToast(settings: Settings, options: ToastSyncOptions): Promise<SyncState | undefined> {
  const blocked = await cannotStart(settings);
  if (blocked) {
    if (blocked.title === "A Sync Is Already Running")
      await showToast({ style: Toast.Style.Failure, title: blocked.title, message: blocked.message });
    else
      await showFailure(
        blocked.title,
        { code: "CONFIG_INVALID", message: blocked.message },
        { configFile: settings.configPath },
      );
    return undefined;
  }

  const toast = await showToast({
    style: Toast.Style.Animated,
    title: options.only?.length === 1 ? `Syncing ${options.only[0]}` : "Syncing All Targets",
    message: "Starting",
  });
  const pid = startWorker(settings, { ...options, keepAwake: true });
  void refreshMenuBar();
  const state = (await waitForSync(pid, {
    intervalMs: options.intervalMs,
    onProgress: (s) => {
      toast.message = s.progress;
    },
  }))!;
  await toast.hide();
  void refreshMenuBar();
  await reportEnd(settings, state, (next) => syncWithToast(settings, { ...options, ...next }));
  return state;
}

/** The end of a run followed in a toast: success, the failure helper, or a refused deletion to confirm. */
export async function reportEnd(
  settings: Settings,
  state: SyncState,
  again: (options: WorkerOptions) => Promise<unknown>,
): Promise<void> {
  const configFile = settings.configPath;
  if (state.error) {
    await showFailure(state.stopped ? "Sync Stopped" : "Sync Failed", state.error, {
      configFile,
      logFile: workerLogPath(),
      retry: () => again({}),
    });
    return;
  }
  const { title, message } = finishedMessage(state);
  if (state.stopped) {
    await showToast({ style: Toast.Style.Success, title, message });
    return;
  }
  const refused = refusedDeletes(state.reports);
  const failed = state.reports.filter((r) => r.status === "failed" && !refused.some((x) => x.report === r));
  if (failed.length > 0) {
    const first = failed[0]!;
    await showFailure(title, first.error ?? { code: "UNEXPECTED", message: "Unknown error." }, {
      configFile,
      logFile: logFilePath(first.localPath, first.logFile) ?? workerLogPath(),
      retry: () => again({ only: failed.map((r) => r.target) }),
    });
  } else if (refused.length === 0) {
    await showToast({
      style: Toast.Style.Success,
      title: "Sync Finished",
      message: syncSummary(state.reports, state.uploaded, state.unchanged),
    });
  }
  for (const { report, deletes } of refused)
    await confirmDeletes(
      settings,
      { target: report.target, bucket: report.bucket, prefix: report.prefix, deletes },
      (next) => again(next),
    );
}
