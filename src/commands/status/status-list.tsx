// Status: one item per target (mounted, last sync, pending changes, restores, bytes saved), with a drill-down
// to the files and the actions to sync it, preview its moves, open its log or show it in Finder.
import { Action, ActionPanel, Color, Icon, Keyboard, List } from "@raycast/api";
import { useCachedPromise } from "@raycast/utils";
import { formatBytes, s3Uri } from "../../engine";
import { logFilePath } from "../lib/engine";
import { ConfigErrorView } from "../lib/config-error-view";
import { readSettings } from "../lib/preferences";
import { syncWithToast } from "../lib/sync";
import { PreviewMoves } from "../preview/preview-moves";
import { fetchStatus, type TargetRow } from "./fetch";
import { TargetFiles } from "./target-files";

const RESULT_TEXT: Record<string, string> = {
  ok: "Synced",
  partial: "Synced with warnings",
  failed: "Failed",
  skipped: "Skipped",
};

function pendingText(row: TargetRow): string {
  const { counts } = row;
  const parts = [
    counts.new && `${counts.new} new`,
    counts.modified && `${counts.modified} modified`,
    counts.deleted && `${counts.deleted} deleted`,
    counts.moved && `${counts.moved} moved`,
  ].filter(Boolean);
  return parts.length ? parts.join(" · ") : "Up to date";
}

function accessories(row: TargetRow, syncing: string | undefined): List.Item.Accessory[] {
  if (syncing) return [{ tag: { value: "Syncing", color: Color.Blue }, tooltip: syncing }];
  if (!row.mounted) return [{ tag: { value: "Not Mounted", color: Color.SecondaryText } }];
  if (row.error) return [{ tag: { value: "Error", color: Color.Red }, tooltip: row.error.message }];
  const list: List.Item.Accessory[] = [{ text: pendingText(row) }];
  if (row.pendingRestores.length > 0)
    list.push({
      icon: Icon.Snowflake,
      text: `${row.pendingRestores.length} restores`,
      tooltip: "Moves waiting for a restore",
    });
  list.push({ text: `${formatBytes(row.bytesSavedTotal)} saved`, tooltip: "Bytes not uploaded thanks to moves" });
  list.push(
    row.lastRun
      ? {
          tag: {
            value: RESULT_TEXT[row.lastRun.status] ?? row.lastRun.status,
            color: row.lastRun.status === "failed" ? Color.Red : Color.Green,
          },
          tooltip: `Last sync ${new Date(row.lastRun.at).toLocaleString()}`,
        }
      : { tag: { value: "Never Synced", color: Color.SecondaryText } },
  );
  return list;
}

export function StatusList() {
  const settings = readSettings();
  const { data, isLoading, revalidate } = useCachedPromise(fetchStatus, [settings], { keepPreviousData: true });
  const running = data?.running;

  return (
    <List isLoading={isLoading} navigationTitle="Sync Status">
      {data?.configError ? (
        <ConfigErrorView failure={data.configError} configFile={data.configFile} />
      ) : (
        <List.EmptyView icon={Icon.HardDrive} title="No Targets" description="Add a target with Edit Config." />
      )}
      {(data?.rows ?? []).map((row) => {
        const { target } = row;
        const syncing = running && running.target === target.name ? running.progress : undefined;
        const log = logFilePath(target.localPath, row.lastRun?.logFile);
        return (
          <List.Item
            key={target.name}
            icon={row.mounted ? Icon.HardDrive : { source: Icon.HardDrive, tintColor: Color.SecondaryText }}
            title={target.name}
            subtitle={`${target.localPath} → ${s3Uri(target.bucket, target.prefix)}`}
            accessories={accessories(row, syncing)}
            actions={
              <ActionPanel>
                <ActionPanel.Section>
                  <Action.Push title="Show Pending Files" icon={Icon.List} target={<TargetFiles row={row} />} />
                  <Action
                    title="Sync This Target"
                    icon={Icon.ArrowClockwise}
                    shortcut={{ modifiers: ["cmd", "opt"], key: "s" }}
                    onAction={async () => {
                      await syncWithToast(settings, { only: [target.name], finish: "toast" });
                      revalidate();
                    }}
                  />
                  <Action.Push
                    title="Preview Moves"
                    icon={Icon.ArrowRight}
                    shortcut={{ modifiers: ["cmd", "opt"], key: "p" }}
                    target={<PreviewMoves only={target.name} />}
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
                  {row.mounted ? (
                    <Action.ShowInFinder path={target.localPath} shortcut={Keyboard.Shortcut.Common.Open} />
                  ) : null}
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
