// Status: the worker (running, interrupted) and one item per target (mounted, last sync, pending changes,
// restores, bytes saved), with a drill-down to the files and the actions to sync, stop, preview, open the
// log or show the volume in Finder. The data comes from a child process (see ./fetch.ts).
import { Action, ActionPanel, Color, Icon, Keyboard, List, showToast, Toast } from "@raycast/api";
import { useCachedPromise } from "@raycast/utils";
import { useEffect, useRef } from "react";
import { formatBytes } from "../../engine/format";
import { s3Uri } from "../../engine/keys";
import { ConfigErrorView } from "../lib/config-error-view";
import { logFilePath } from "../lib/config";
import { readPending } from "../lib/pending";
import { readSettings, type Settings } from "../lib/preferences";
import { counted } from "../lib/text";
import { confirmDeletes, syncWithToast } from "../lib/sync";
import { stopSync, waitForSync, workerLogPath, type CurrentSync } from "../lib/worker";
import { PreviewMoves } from "../preview/preview-moves";
import { fetchStatus, type TargetRow } from "./fetch";
import { lastOutcome, outcomeTag, type Outcome } from "./outcome";
import { TargetFiles } from "./target-files";

function pendingText(row: TargetRow): string {
  const counts = row.line!.counts;
  const parts = [
    counts.new && `${counts.new} new`,
    counts.modified && `${counts.modified} modified`,
    counts.deleted && `${counts.deleted} deleted`,
    counts.moved && `${counts.moved} moved`,
  ].filter(Boolean);
  return parts.length ? parts.join(" · ") : "Up to date";
}

function accessories(row: TargetRow, outcome: Outcome | undefined, syncing: string | undefined) {
  const list: List.Item.Accessory[] = [];
  const line = row.line;
  if (syncing) list.push({ tag: { value: "Syncing", color: Color.Blue }, tooltip: syncing });
  else if (!line || !line.mounted) list.push({ tag: { value: "Not Mounted", color: Color.SecondaryText } });
  else if (line.error) list.push({ tag: { value: "Error", color: Color.Red }, tooltip: line.error.message });
  else {
    list.push({ text: pendingText(row) });
    const deletes = readPending()[row.target.name]?.deletes;
    if (deletes)
      list.push({
        icon: Icon.Trash,
        text: deletes.toLocaleString("en-US"),
        tooltip: `The next sync deletes ${counted(deletes, "object")} in S3`,
      });
    if (line.counts.restores > 0)
      list.push({ icon: Icon.Snowflake, text: `${line.counts.restores}`, tooltip: "Moves waiting for a restore" });
    list.push({ text: `${formatBytes(line.bytesSavedTotal)} saved`, tooltip: "Bytes not uploaded thanks to moves" });
  }
  const tag = outcomeTag(outcome);
  const bad = outcome?.status === "failed";
  list.push({
    tag: { value: tag, color: bad ? Color.Red : outcome ? Color.Green : Color.SecondaryText },
    tooltip: outcome?.error
      ? `${outcome.error.message}${outcome.error.hint ? ` ${outcome.error.hint}` : ""}`
      : undefined,
  });
  if (outcome)
    list.push({ date: new Date(outcome.at), tooltip: `Last sync: ${new Date(outcome.at).toLocaleString()}` });
  return list;
}

function WorkerItem({ sync, settings, refresh }: { sync: CurrentSync; settings: Settings; refresh: () => void }) {
  const { state, status } = sync;
  if (status === "finished") return null;
  if (status === "running") {
    return (
      <List.Item
        icon={{ source: Icon.ArrowClockwise, tintColor: Color.Blue }}
        title={state.target ? `Syncing ${state.target}` : "Syncing"}
        subtitle={state.progress}
        accessories={[{ date: new Date(state.startedAt), tooltip: "Started" }]}
        actions={
          <ActionPanel>
            <Action
              title="Stop Sync"
              icon={Icon.Stop}
              style={Action.Style.Destructive}
              onAction={async () => {
                if (!stopSync(state)) return;
                const toast = await showToast({ style: Toast.Style.Animated, title: "Stopping Sync" });
                await waitForSync(state.pid, { untilMs: 30_000 });
                toast.style = Toast.Style.Success;
                toast.title = "Sync Stopped";
                refresh();
              }}
            />
            <Action.Open title="Open Worker Log" icon={Icon.Document} target={workerLogPath()} />
            <Action
              title="Refresh"
              icon={Icon.ArrowClockwise}
              shortcut={Keyboard.Shortcut.Common.Refresh}
              onAction={refresh}
            />
          </ActionPanel>
        }
      />
    );
  }
  return (
    <List.Item
      icon={{ source: Icon.Warning, tintColor: Color.Orange }}
      title="Last Sync Was Interrupted"
      subtitle={`${state.progress} · the worker stopped without finishing`}
      accessories={[{ date: new Date(state.heartbeatAt ?? state.updatedAt), tooltip: "Last heard from" }]}
      actions={
        <ActionPanel>
          <Action
            title="Sync Again"
            icon={Icon.ArrowClockwise}
            onAction={async () => {
              await syncWithToast(settings, { only: state.only });
              refresh();
            }}
          />
          <Action.Open title="Open Worker Log" icon={Icon.Document} target={workerLogPath()} />
        </ActionPanel>
      }
    />
  );
}

export function StatusList({ confirmDeletesFor }: { confirmDeletesFor?: string } = {}) {
  const settings = readSettings();
  const abortable = useRef<AbortController>(null);
  const { data, isLoading, revalidate } = useCachedPromise(
    (s: Settings) => fetchStatus(s, abortable.current?.signal),
    [settings],
    { keepPreviousData: true, abortable },
  );
  const sync = data?.sync;
  const running = sync?.status === "running" ? sync.state : undefined;

  const review = async (row: TargetRow, outcome: Outcome) => {
    if (!outcome.deletes) return;
    await confirmDeletes(
      settings,
      { target: row.target.name, bucket: row.target.bucket, prefix: row.target.prefix, deletes: outcome.deletes },
      (options) => syncWithToast(settings, options),
    );
    revalidate();
  };

  // Launched from the menu bar to confirm a refused deletion: ask once the rows are there.
  const asked = useRef(false);
  useEffect(() => {
    if (!confirmDeletesFor || asked.current || !data || isLoading) return;
    const row = data.rows.find((r) => r.target.name === confirmDeletesFor);
    const outcome = row && lastOutcome(row.line?.lastRun, row.result);
    if (!row || !outcome?.deletes) return;
    asked.current = true;
    void review(row, outcome);
  }, [data, isLoading]);

  return (
    <List isLoading={isLoading || !data} searchBarPlaceholder="Filter targets by name or path">
      {!data ? null : data.configError ? (
        <ConfigErrorView failure={data.configError} configFile={data.configFile} onCreated={revalidate} />
      ) : (
        <List.EmptyView icon={Icon.HardDrive} title="No Targets" description="Add a target with Edit Config." />
      )}
      {sync ? <WorkerItem sync={sync} settings={settings} refresh={revalidate} /> : null}
      {(data?.rows ?? []).map((row) => {
        const { target, line } = row;
        const outcome = lastOutcome(line?.lastRun, row.result);
        const syncing = running && (running.target === target.name || line?.syncing) ? running.progress : undefined;
        const log = logFilePath(target.localPath, outcome?.logFile);
        const refusedDeletes = outcome?.error?.code === "DELETES_REFUSED" && outcome.deletes;
        const syncThis = (
          <Action
            title="Sync This Target"
            icon={Icon.ArrowClockwise}
            shortcut={{ modifiers: ["cmd", "opt"], key: "s" }}
            onAction={async () => {
              await syncWithToast(settings, { only: [target.name] });
              revalidate();
            }}
          />
        );
        return (
          <List.Item
            key={target.name}
            icon={line?.mounted ? Icon.HardDrive : { source: Icon.HardDrive, tintColor: Color.SecondaryText }}
            title={target.name}
            subtitle={`${target.localPath} → ${s3Uri(target.bucket, target.prefix)}`}
            keywords={[target.localPath, target.bucket]}
            accessories={accessories(row, outcome, syncing)}
            actions={
              <ActionPanel>
                <ActionPanel.Section>
                  {refusedDeletes ? (
                    <Action
                      title="Review Deletes and Sync"
                      icon={Icon.Trash}
                      style={Action.Style.Destructive}
                      onAction={() => review(row, outcome)}
                    />
                  ) : null}
                  {line?.mounted ? (
                    <Action.Push title="Show Pending Files" icon={Icon.List} target={<TargetFiles row={row} />} />
                  ) : null}
                  {running ? (
                    <Action
                      title="Stop Sync"
                      icon={Icon.Stop}
                      style={Action.Style.Destructive}
                      onAction={async () => {
                        if (stopSync(running)) await waitForSync(running.pid, { untilMs: 30_000 });
                        revalidate();
                      }}
                    />
                  ) : (
                    syncThis
                  )}
                  <Action.Push
                    title="Preview Moves"
                    icon={Icon.ArrowRight}
                    shortcut={{ modifiers: ["cmd", "opt"], key: "p" }}
                    target={<PreviewMoves only={target.name} navigationTitle={`Preview Moves: ${target.name}`} />}
                  />
                </ActionPanel.Section>
                <ActionPanel.Section>
                  {log ? (
                    <Action.Open
                      title="Open Log"
                      icon={Icon.Document}
                      target={log}
                      shortcut={{ modifiers: ["cmd"], key: "l" }}
                    />
                  ) : null}
                  {line?.mounted ? (
                    <Action.ShowInFinder path={target.localPath} shortcut={Keyboard.Shortcut.Common.Open} />
                  ) : null}
                  <Action.CopyToClipboard
                    title="Copy S3 URI"
                    content={s3Uri(target.bucket, target.prefix)}
                    shortcut={Keyboard.Shortcut.Common.Copy}
                  />
                  <Action
                    title="Refresh"
                    icon={Icon.ArrowClockwise}
                    shortcut={Keyboard.Shortcut.Common.Refresh}
                    onAction={revalidate}
                  />
                </ActionPanel.Section>
              </ActionPanel>
            }
          />
        );
      })}
    </List>
  );
}
