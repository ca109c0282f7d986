// The menu bar: an icon for the overall state (all synced, changes pending, a sync running with its
// progress, the last run failed), the sync in progress or the last run's result (with Retry and Open Log,
// so a failed hotkey sync stays reachable), and per target its last sync, what is pending and what moves
// saved, with Sync Now and Preview Moves.
import { Color, Icon, launchCommand, LaunchType, MenuBarExtra, open, showHUD, type Image } from "@raycast/api";
import { useCachedPromise } from "@raycast/utils";
import { finishedMessage, isRefused } from "../../cli/summary";
import { logFilePath } from "../lib/config";
import { createConfig } from "../lib/config-error-view";
import { readSettings, type Settings } from "../lib/preferences";
import { stopSync, runningSync, startWorker, workerLogPath, type SyncState } from "../lib/worker";
import { ago } from "../lib/text";
import { scheduleText } from "../scheduled/state";
import { fetchMenuBar, overallState, targetViews, type MenuBarData, type Overall, type TargetView } from "./model";

const ICONS: Record<Overall, Image.ImageLike> = {
  running: Icon.ArrowClockwise,
  failed: { source: Icon.Warning, tintColor: Color.Red },
  pending: Icon.ArrowUpCircle,
  synced: Icon.CheckCircle,
};

const TOOLTIPS: Record<Overall, string> = {
  running: "S3 Smart Sync: syncing",
  failed: "S3 Smart Sync: the last sync needs attention",
  pending: "S3 Smart Sync: changes pending",
  synced: "S3 Smart Sync: all synced",
};

function progressIcon(fraction: number | undefined): Image.ImageLike {
  if (fraction === undefined) return Icon.ArrowClockwise;
  if (fraction >= 1) return Icon.CircleProgress100;
  if (fraction >= 0.75) return Icon.CircleProgress75;
  if (fraction >= 0.5) return Icon.CircleProgress50;
  if (fraction >= 0.25) return Icon.CircleProgress25;
  return Icon.CircleProgress;
}

async function syncNow(settings: Settings, only?: string[]): Promise<void> {
  const running = await runningSync();
  if (running) {
    await showHUD(`A Sync Is Already Running: ${running.progress}`);
    return;
  }
  // The menu closes at once: the worker notifies at the end, whatever the result.
  startWorker(settings, { only, keepAwake: true, notifyAfter: 0 });
  await showHUD(only?.length === 1 ? `Syncing ${only[0]}` : "Syncing All Targets");
}

async function launch(name: string, context?: Record<string, string>): Promise<void> {
  await launchCommand({ name, type: LaunchType.UserInitiated, context });
}

/** Targets worth retrying as they are: failed, but not refused by a guard (those need the user first). */
function failedTargets(state: SyncState): string[] {
  return state.reports.filter((r) => r.status === "failed" && !isRefused(r)).map((r) => r.target);
}

function SyncSection({ settings, data }: { settings: Settings; data: MenuBarData }) {
  const sync = data.sync;
  if (!sync) return null;
  const { state, status } = sync;
  if (status === "running") {
    return (
      <MenuBarExtra.Section title="Syncing">
        <MenuBarExtra.Item
          icon={progressIcon(state.fraction)}
          title={state.progress}
          subtitle={`since ${ago(state.startedAt)}`}
        />
        <MenuBarExtra.Item title="Stop Sync" icon={Icon.Stop} onAction={() => void stopSync(state)} />
      </MenuBarExtra.Section>
    );
  }
  if (status === "interrupted") {
    return (
      <MenuBarExtra.Section title="Last Sync Interrupted">
        <MenuBarExtra.Item icon={Icon.Warning} title={state.progress} subtitle={ago(state.heartbeatAt)} />
        <MenuBarExtra.Item
          title="Sync Again"
          icon={Icon.ArrowClockwise}
          onAction={() => syncNow(settings, state.only)}
        />
        <MenuBarExtra.Item title="Open Worker Log" icon={Icon.Document} onAction={() => open(workerLogPath())} />
      </MenuBarExtra.Section>
    );
  }
  const { title, message, failed } = finishedMessage(state);
  const retry = failedTargets(state);
  const firstFailed = state.reports.find((r) => r.status === "failed");
  const log = firstFailed ? logFilePath(firstFailed.localPath, firstFailed.logFile) : undefined;
  return (
    <MenuBarExtra.Section title={`Last Sync ${ago(state.finishedAt ?? state.updatedAt)}`}>
      <MenuBarExtra.Item
        icon={failed ? { source: Icon.Warning, tintColor: Color.Red } : Icon.CheckCircle}
        title={title}
        subtitle={message}
        tooltip={message}
      />
      {failed && (retry.length > 0 || state.error) ? (
        <MenuBarExtra.Item
          title="Retry"
          icon={Icon.ArrowClockwise}
          onAction={() => syncNow(settings, state.error ? state.only : retry)}
        />
      ) : null}
      {failed ? (
        <MenuBarExtra.Item title="Open Log" icon={Icon.Document} onAction={() => open(log ?? workerLogPath())} />
      ) : null}
    </MenuBarExtra.Section>
  );
}

function TargetMenu({ view, settings, running }: { view: TargetView; settings: Settings; running: boolean }) {
  const { target, outcome } = view;
  const icon: Image.ImageLike = !view.mounted
    ? { source: Icon.HardDrive, tintColor: Color.SecondaryText }
    : view.syncing
      ? Icon.ArrowClockwise
      : view.failed || view.refused
        ? { source: Icon.Warning, tintColor: Color.Red }
        : view.hasPending
          ? Icon.ArrowUpCircle
          : Icon.CheckCircle;
  const log = outcome && logFilePath(target.localPath, outcome.logFile);
  const deletes = outcome?.error?.code === "DELETES_REFUSED" ? outcome.deletes : undefined;
  return (
    <MenuBarExtra.Submenu title={`${target.name}${view.mounted ? "" : " (Not Mounted)"}`} icon={icon}>
      <MenuBarExtra.Item
        title={`Last Sync: ${view.tag}`}
        subtitle={outcome ? ago(outcome.at) : undefined}
        tooltip={outcome?.error ? `${outcome.error.message} ${outcome.error.hint ?? ""}`.trim() : undefined}
      />
      {outcome?.error ? <MenuBarExtra.Item title={outcome.error.message} /> : null}
      {view.pendingText ? <MenuBarExtra.Item title={`Pending: ${view.pendingText}`} /> : null}
      {view.savedText ? <MenuBarExtra.Item title={view.savedText} /> : null}
      {deletes ? (
        <MenuBarExtra.Item
          title={`Review ${deletes.count.toLocaleString("en-US")} Deletes…`}
          icon={Icon.Trash}
          onAction={() => launch("status", { confirmDeletes: target.name })}
        />
      ) : null}
      {!running && view.mounted ? (
        <MenuBarExtra.Item
          title="Sync Now"
          icon={Icon.ArrowClockwise}
          onAction={() => syncNow(settings, [target.name])}
        />
      ) : null}
      <MenuBarExtra.Item
        title="Preview Moves"
        icon={Icon.ArrowRight}
        onAction={() => launch("preview-moves", { target: target.name })}
      />
      {log ? <MenuBarExtra.Item title="Open Log" icon={Icon.Document} onAction={() => open(log)} /> : null}
    </MenuBarExtra.Submenu>
  );
}

export function SyncMenuBar() {
  const settings = readSettings();
  const { data, isLoading } = useCachedPromise(fetchMenuBar, [settings]);
  if (!data) return <MenuBarExtra icon={Icon.ArrowClockwise} isLoading={isLoading} tooltip="S3 Smart Sync" />;
  const views = targetViews(data);
  const overall = overallState(data, views);
  const running = data.sync?.status === "running" ? data.sync.state : undefined;
  const title = running?.fraction !== undefined ? `${Math.floor(running.fraction * 100)}%` : undefined;
  return (
    <MenuBarExtra
      icon={running ? progressIcon(running.fraction) : ICONS[overall]}
      title={title}
      tooltip={running ? running.progress : TOOLTIPS[overall]}
      isLoading={isLoading}
    >
      {data.configError ? (
        <MenuBarExtra.Section
          title={data.configError.code === "CONFIG_MISSING" ? "No Config File" : "Config Has Errors"}
        >
          <MenuBarExtra.Item title={data.configError.message} icon={Icon.Warning} />
          {data.configError.code === "CONFIG_MISSING" ? (
            <MenuBarExtra.Item
              title="Create Config"
              icon={Icon.NewDocument}
              onAction={async () => {
                if (await createConfig(data.configFile)) await launch("edit-config");
              }}
            />
          ) : null}
        </MenuBarExtra.Section>
      ) : null}
      <SyncSection settings={settings} data={data} />
      {views.length > 0 ? (
        <MenuBarExtra.Section title="Targets">
          {views.map((view) => (
            <TargetMenu key={view.target.name} view={view} settings={settings} running={!!running} />
          ))}
        </MenuBarExtra.Section>
      ) : null}
      <MenuBarExtra.Section>
        {!running && views.length > 0 ? (
          <MenuBarExtra.Item title="Sync All Now" icon={Icon.ArrowClockwise} onAction={() => syncNow(settings)} />
        ) : null}
        <MenuBarExtra.Item title="Preview Moves" icon={Icon.ArrowRight} onAction={() => launch("preview-moves")} />
        <MenuBarExtra.Item title="Sync Status" icon={Icon.List} onAction={() => launch("status")} />
        <MenuBarExtra.Item title="Open Config" icon={Icon.Gear} onAction={() => open(data.configFile)} />
        {data.schedule ? (
          <MenuBarExtra.Item
            title={`Scheduled Sync ${ago(data.schedule.checkedAt)}`}
            subtitle={scheduleText(data.schedule)}
            icon={data.schedule.error ? { source: Icon.Warning, tintColor: Color.Red } : Icon.Clock}
          />
        ) : null}
      </MenuBarExtra.Section>
    </MenuBarExtra>
  );
}
