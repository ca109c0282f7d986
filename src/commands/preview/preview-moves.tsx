// Preview Moves: every pending move of every mounted target, one section per target. Cached results show
// at once; useCachedPromise refreshes them in the background.
import { Action, ActionPanel, Color, Icon, Keyboard, List } from "@raycast/api";
import { useCachedPromise } from "@raycast/utils";
import path from "node:path";
import { formatBytes, plural, s3Uri, type Target } from "../../engine";
import { readSettings, type Settings } from "../lib/preferences";
import { ConfigErrorView } from "../lib/config-error-view";
import { applyMoves, skipPreviewMove } from "./apply";
import { fetchPreview, moveTitle, type PreviewMove, type PreviewTarget } from "./fetch";
import { MoveDetail } from "./move-detail";

export function consoleUrl(target: Target, key: string): string {
  const region = target.region ? `region=${encodeURIComponent(target.region)}&` : "";
  return `https://s3.console.aws.amazon.com/s3/object/${encodeURIComponent(target.bucket)}?${region}prefix=${encodeURIComponent(key)}`;
}

function accessories(move: PreviewMove): List.Item.Accessory[] {
  const list: List.Item.Accessory[] = [];
  if (move.kind === "archived")
    list.push({ tag: { value: "Archived", color: Color.Orange }, tooltip: `Restore needed (${move.storageClass})` });
  if (move.kind === "unverifiable")
    list.push({ tag: { value: "Unverified", color: Color.Red }, tooltip: `Cannot be verified in S3: ${move.reason}` });
  list.push({ text: formatBytes(move.size) });
  return list;
}

function lastSyncText(targets: PreviewTarget[]): string {
  const times = targets
    .map((t) => t.lastRunAt)
    .filter((t): t is string => !!t)
    .sort();
  const last = times.at(-1);
  return last ? `Last sync: ${new Date(last).toLocaleString()}` : "No sync has run yet";
}

export function PreviewMoves({ only }: { only?: string }) {
  const settings = readSettings();
  const { data, isLoading, revalidate, mutate } = useCachedPromise(fetchPreview, [settings, only], {
    keepPreviousData: true,
  });
  const targets = data?.targets ?? [];
  const pending = targets.reduce((sum, t) => sum + t.moves.length, 0);

  const run = async (work: Promise<void>, remove: (m: PreviewMove) => boolean) => {
    await mutate(work, {
      optimisticUpdate: (current) =>
        current && {
          ...current,
          targets: current.targets.map((t) => ({ ...t, moves: t.moves.filter((m) => !remove(m)) })),
        },
    });
  };

  return (
    <List
      isLoading={isLoading}
      navigationTitle={only ? `Preview Moves: ${only}` : "Preview Moves"}
      searchBarPlaceholder="Filter moves by name or path"
    >
      {data?.configError ? (
        <ConfigErrorView failure={data.configError} configFile={data.configFile} />
      ) : (
        <List.EmptyView
          icon={Icon.CheckCircle}
          title="No pending moves"
          description={[
            lastSyncText(targets),
            data?.notMounted.length ? `Not mounted: ${data.notMounted.join(", ")}` : "",
          ]
            .filter(Boolean)
            .join(" · ")}
          actions={
            <ActionPanel>
              <Action
                title="Refresh"
                icon={Icon.ArrowClockwise}
                shortcut={Keyboard.Shortcut.Common.Refresh}
                onAction={revalidate}
              />
            </ActionPanel>
          }
        />
      )}
      {pending === 0 && !targets.some((t) => t.error)
        ? null
        : targets.map(({ target, moves, error }) => (
            <List.Section
              key={target.name}
              title={target.name}
              subtitle={`${s3Uri(target.bucket, target.prefix)} · ${plural(moves.length, "move")}`}
            >
              {error ? (
                <List.Item
                  icon={{ source: Icon.Warning, tintColor: Color.Red }}
                  title={`Could not check ${target.name}`}
                  subtitle={error.message}
                  actions={
                    <ActionPanel>
                      <Action
                        title="Refresh"
                        icon={Icon.ArrowClockwise}
                        shortcut={Keyboard.Shortcut.Common.Refresh}
                        onAction={revalidate}
                      />
                      <Action.Open title="Open Config" target={settings.configPath} />
                    </ActionPanel>
                  }
                />
              ) : null}
              {moves.map((move) => (
                <List.Item
                  key={`${move.from}\0${move.to}`}
                  icon={move.kind === "ready" ? Icon.ArrowRight : Icon.Clock}
                  title={moveTitle(move)}
                  subtitle={`${move.from} → ${move.to}`}
                  keywords={[move.from, move.to]}
                  accessories={accessories(move)}
                  actions={
                    <MoveActions
                      move={move}
                      target={target}
                      targetMoves={moves}
                      settings={settings}
                      run={run}
                      revalidate={revalidate}
                    />
                  }
                />
              ))}
            </List.Section>
          ))}
    </List>
  );
}

function MoveActions(props: {
  move: PreviewMove;
  target: Target;
  targetMoves: PreviewMove[];
  settings: Settings;
  run: (work: Promise<void>, remove: (m: PreviewMove) => boolean) => Promise<void>;
  revalidate: () => void;
}) {
  const { move, target, targetMoves, settings, run } = props;
  const ready = targetMoves.filter((m) => m.kind === "ready");
  const same = (m: PreviewMove) => m.from === move.from && m.to === move.to;
  return (
    <ActionPanel>
      <ActionPanel.Section>
        {move.kind === "ready" ? (
          <Action
            title="Apply Move"
            icon={Icon.ArrowRight}
            onAction={() => run(applyMoves(target, [move], settings), same)}
          />
        ) : null}
        {ready.length > 0 ? (
          <Action
            title="Apply All Moves in This Target"
            icon={Icon.Forward}
            shortcut={{ modifiers: ["cmd", "shift"], key: "return" }}
            onAction={() => run(applyMoves(target, ready, settings), (m) => ready.includes(m))}
          />
        ) : null}
        <Action.Push
          title="Show Details"
          icon={Icon.Sidebar}
          shortcut={{ modifiers: ["cmd"], key: "d" }}
          target={<MoveDetail move={move} target={target} />}
        />
        {move.kind !== "unverifiable" ? (
          <Action
            title="Skip Move"
            icon={Icon.XMarkCircle}
            shortcut={Keyboard.Shortcut.Common.Remove}
            onAction={() => run(skipPreviewMove(target, move), same)}
          />
        ) : null}
      </ActionPanel.Section>
      <ActionPanel.Section>
        <Action.ShowInFinder path={path.join(target.localPath, move.to)} shortcut={Keyboard.Shortcut.Common.Open} />
        <Action.CopyToClipboard
          title="Copy S3 URI"
          content={`s3://${target.bucket}/${move.toKey}`}
          shortcut={Keyboard.Shortcut.Common.Copy}
        />
        <Action.OpenInBrowser
          title="Open in AWS Console"
          url={consoleUrl(target, move.fromKey)}
          shortcut={{ modifiers: ["cmd", "opt"], key: "o" }}
        />
      </ActionPanel.Section>
      <ActionPanel.Section>
        <Action
          title="Refresh"
          icon={Icon.ArrowClockwise}
          shortcut={Keyboard.Shortcut.Common.Refresh}
          onAction={props.revalidate}
        />
      </ActionPanel.Section>
    </ActionPanel>
  );
}
