// Preview Moves: every pending move of every target, one section per target; an unmounted target says so,
// and a sync running on a volume is mentioned (the preview is read-only and runs beside it). Enter applies
// one move (with the moves of its chain or swap) or, for a move that cannot run now, shows its details.
import { Action, ActionPanel, Color, Icon, Keyboard, List, useNavigation } from "@raycast/api";
import { useCachedPromise } from "@raycast/utils";
import path from "node:path";
import { useRef } from "react";
import { evidenceText } from "../../cli/output";
import { formatBytes, plural } from "../../engine/format";
import { s3Uri } from "../../engine/keys";
import type { Target } from "../../engine/types";
import { ConfigErrorView } from "../lib/config-error-view";
import { isAwsEndpoint } from "../lib/config";
import { CONFIG_CODES } from "../lib/failure";
import { readSettings, type Settings } from "../lib/preferences";
import { counted } from "../lib/text";
import { applyMoves, confirmApplyAll, skipPreviewMove } from "./apply";
import { dependentMoves, fetchPreview, moveTitle, type PreviewMove, type PreviewTarget } from "./fetch";
import { MoveDetail } from "./move-detail";

export function consoleUrl(target: Target, key: string): string {
  const region = target.region ? `region=${encodeURIComponent(target.region)}&` : "";
  return `https://s3.console.aws.amazon.com/s3/object/${encodeURIComponent(target.bucket)}?${region}prefix=${encodeURIComponent(key)}`;
}

/** The S3 URI of the object a move acts on: where it is now (the old key), as the console action shows it. */
export function objectUri(target: Target, move: PreviewMove): string {
  return `s3://${move.fromBucket ?? target.bucket}/${move.fromKey}`;
}

/** A move this target can make alone; one from another target is made by a batch sync of both. */
function applicable(move: PreviewMove): boolean {
  return move.kind === "ready" && !move.fromTarget;
}

function accessories(move: PreviewMove, dependents: number): List.Item.Accessory[] {
  const list: List.Item.Accessory[] = [];
  if (dependents > 0)
    list.push({ icon: Icon.Link, text: `+${dependents}`, tooltip: "Applied together with its chain or swap" });
  if (move.kind === "archived")
    list.push({ tag: { value: "Archived", color: Color.Orange }, tooltip: `Restore needed (${move.storageClass})` });
  if (move.kind === "unverifiable")
    list.push({ tag: { value: "Unverified", color: Color.Red }, tooltip: `Cannot be verified in S3: ${move.reason}` });
  if (move.fromTarget)
    list.push({
      tag: { value: `From ${move.fromTarget}`, color: Color.Purple },
      tooltip: `Copied server-side from ${move.fromTarget} by the next sync of all targets (${evidenceText(move)})`,
    });
  else if (move.copy)
    list.push({ tag: { value: "Copy", color: Color.Blue }, tooltip: "Server-side copy: the source stays" });
  if (move.evidence === "hash" || move.evidence === "inode+hash")
    list.push({
      tag: { value: move.evidence === "hash" ? "Hash" : "Inode+Hash", color: Color.Green },
      tooltip: `Content proven equal to the object (${evidenceText(move)})`,
    });
  list.push({ text: formatBytes(move.size) });
  return list;
}

function lastSyncText(targets: PreviewTarget[]): string {
  const last = targets
    .map((t) => t.lastRunAt)
    .filter((t): t is string => !!t)
    .sort()
    .at(-1);
  return last ? `Last sync: ${new Date(last).toLocaleString()}` : "No sync has run yet";
}

type Run = (work: Promise<void>, remove: (m: PreviewMove) => boolean) => Promise<void>;

/** `navigationTitle` only when pushed from another view: a command's root view shows the command's title. */
export function PreviewMoves({ only, navigationTitle }: { only?: string; navigationTitle?: string }) {
  const settings = readSettings();
  const abortable = useRef<AbortController>(null);
  const { data, isLoading, revalidate, mutate } = useCachedPromise(
    (s: Settings, target?: string) => fetchPreview(s, target, abortable.current?.signal),
    [settings, only],
    { keepPreviousData: true, abortable },
  );
  const targets = data?.targets ?? [];
  const shown = targets.filter((t) => !t.mounted || t.error || t.moves.length > 0 || t.notices.length > 0);

  const run: Run = async (work, remove) => {
    try {
      await mutate(work, {
        optimisticUpdate: (current) =>
          current && {
            ...current,
            targets: current.targets.map((t) => ({ ...t, moves: t.moves.filter((m) => !remove(m)) })),
          },
      });
    } catch {
      // The failure was shown where it happened; the list is back as it was.
    }
  };
  const refresh = (
    <Action
      title="Refresh"
      icon={Icon.ArrowClockwise}
      shortcut={Keyboard.Shortcut.Common.Refresh}
      onAction={revalidate}
    />
  );

  return (
    <List
      isLoading={isLoading || !data}
      navigationTitle={navigationTitle}
      searchBarPlaceholder="Filter moves by name or path"
    >
      {!data ? null : data.configError ? (
        <ConfigErrorView failure={data.configError} configFile={data.configFile} onCreated={revalidate} />
      ) : (
        <List.EmptyView
          icon={Icon.CheckCircle}
          title="No Pending Moves"
          description={lastSyncText(targets)}
          actions={<ActionPanel>{refresh}</ActionPanel>}
        />
      )}
      {shown.map((entry) => {
        const { target, moves, error } = entry;
        const deletes = entry.deletes ? ` · the sync would delete ${counted(entry.deletes.count, "object")}` : "";
        return (
          <List.Section
            key={target.name}
            title={target.name}
            subtitle={`${s3Uri(target.bucket, target.prefix)} · ${counted(entry.movesTotal, "move")}${deletes}`}
          >
            {!entry.mounted ? (
              <List.Item
                icon={{ source: Icon.HardDrive, tintColor: Color.SecondaryText }}
                title="Not Mounted"
                subtitle={`${target.localPath} is not mounted; connect the volume to see its moves`}
                actions={<ActionPanel>{refresh}</ActionPanel>}
              />
            ) : null}
            {error ? (
              <List.Item
                icon={{ source: Icon.Warning, tintColor: Color.Red }}
                title={`Could Not Check ${target.name}`}
                subtitle={error.message}
                accessories={error.hint ? [{ icon: Icon.QuestionMarkCircle, tooltip: error.hint }] : []}
                actions={
                  <ActionPanel>
                    {refresh}
                    {CONFIG_CODES.has(error.code) ? (
                      <Action.Open title="Open Config" icon={Icon.Pencil} target={settings.configPath} />
                    ) : null}
                    <Action.CopyToClipboard
                      title="Copy Details"
                      content={[error.message, error.hint].filter(Boolean).join("\n")}
                      shortcut={Keyboard.Shortcut.Common.Copy}
                    />
                  </ActionPanel>
                }
              />
            ) : null}
            {entry.notices.map((notice) => (
              <List.Item
                key={notice}
                icon={{ source: Icon.Info, tintColor: Color.Blue }}
                title={notice.startsWith("A sync is running") ? "A Sync Is Running on This Volume" : "Note"}
                subtitle={notice}
                actions={<ActionPanel>{refresh}</ActionPanel>}
              />
            ))}
            {moves.map((move) => (
              <List.Item
                key={`${move.from}\0${move.to}`}
                icon={move.kind === "ready" ? Icon.ArrowRight : Icon.Clock}
                title={moveTitle(move)}
                subtitle={`${move.from} → ${move.to}`}
                keywords={[move.from, move.to]}
                accessories={accessories(move, dependentMoves(move, moves).length)}
                actions={<MoveActions move={move} entry={entry} settings={settings} run={run} refresh={revalidate} />}
              />
            ))}
          </List.Section>
        );
      })}
    </List>
  );
}

export function MoveActions(props: {
  move: PreviewMove;
  entry: PreviewTarget;
  settings: Settings;
  run: Run;
  refresh: () => void;
  /** Rendered in the move's Details: no Show Details, and the view closes once the move is applied. */
  inDetail?: boolean;
}) {
  const { move, entry, settings, run, inDetail } = props;
  const { target, moves } = entry;
  const { pop } = useNavigation();
  const dependents = dependentMoves(move, moves);
  const group = [move, ...dependents];
  const ready = moves.filter(applicable);
  const same = (m: PreviewMove) => m.from === move.from && m.to === move.to;
  const done = () => (inDetail ? pop() : undefined);

  const apply = applicable(move) ? (
    <Action
      title={dependents.length ? `Apply Move (with ${plural(dependents.length, "Dependent Move")})` : "Apply Move"}
      icon={Icon.ArrowRight}
      onAction={async () => {
        done();
        await run(applyMoves(target, [move], settings), (m) => group.includes(m));
      }}
    />
  ) : null;
  const details = inDetail ? null : (
    <Action.Push
      title="Show Details"
      icon={Icon.Sidebar}
      shortcut={{ modifiers: ["cmd"], key: "i" }}
      target={<MoveDetail move={move} entry={entry} actions={<MoveActions {...props} inDetail />} />}
    />
  );
  return (
    <ActionPanel>
      <ActionPanel.Section>
        {applicable(move) ? (
          <>
            {apply}
            {details}
          </>
        ) : (
          <>
            {details}
            {apply}
          </>
        )}
        {ready.length > 0 ? (
          <Action
            title="Apply All Moves in This Target"
            icon={Icon.Forward}
            shortcut={{ modifiers: ["cmd", "shift"], key: "return" }}
            onAction={async () => {
              if (!(await confirmApplyAll(target, moves))) return;
              done();
              await run(applyMoves(target, ready, settings, { all: true }), (m) => ready.includes(m));
            }}
          />
        ) : null}
        {move.kind !== "unverifiable" && !move.fromTarget ? (
          <Action
            title="Skip Move"
            icon={Icon.XMarkCircle}
            shortcut={Keyboard.Shortcut.Common.Remove}
            onAction={async () => {
              done();
              await run(skipPreviewMove(target, move, settings, props.refresh), same);
            }}
          />
        ) : null}
      </ActionPanel.Section>
      <ActionPanel.Section>
        <Action.ShowInFinder path={path.join(target.localPath, move.to)} shortcut={Keyboard.Shortcut.Common.Open} />
        <Action.CopyToClipboard
          title="Copy S3 URI"
          content={objectUri(target, move)}
          shortcut={Keyboard.Shortcut.Common.Copy}
        />
        {isAwsEndpoint(target) ? (
          <Action.OpenInBrowser
            title="Open in AWS Console"
            url={consoleUrl(target, move.fromKey)}
            shortcut={{ modifiers: ["cmd", "opt"], key: "o" }}
          />
        ) : null}
      </ActionPanel.Section>
      {inDetail ? null : (
        <ActionPanel.Section>
          <Action
            title="Refresh"
            icon={Icon.ArrowClockwise}
            shortcut={Keyboard.Shortcut.Common.Refresh}
            onAction={props.refresh}
          />
        </ActionPanel.Section>
      )}
    </ActionPanel>
  );
}
