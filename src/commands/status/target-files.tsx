// Status drill-down: the files behind a target's counts.
import { Action, ActionPanel, Icon, Keyboard, List } from "@raycast/api";
import path from "node:path";
import { plural } from "../../engine/format";
import type { TargetRow } from "./fetch";

function FileItem({ root, rel, subtitle, icon }: { root: string; rel: string; subtitle?: string; icon: Icon }) {
  return (
    <List.Item
      icon={icon}
      title={rel}
      subtitle={subtitle}
      actions={
        <ActionPanel>
          <Action.ShowInFinder path={path.join(root, rel)} />
          <Action.CopyToClipboard
            title="Copy Path"
            content={path.join(root, rel)}
            shortcut={Keyboard.Shortcut.Common.CopyPath}
          />
        </ActionPanel>
      }
    />
  );
}

function more(total: number, shown: number): string | undefined {
  return total > shown ? `First ${shown} of ${total}` : undefined;
}

export function TargetFiles({ row }: { row: TargetRow }) {
  const { target } = row;
  const { files, counts, pendingRestores } = row.line!;
  const root = target.localPath;
  return (
    <List navigationTitle={`${target.name}: Pending Changes`} searchBarPlaceholder="Filter files by path">
      <List.EmptyView icon={Icon.CheckCircle} title="Nothing Pending" description="The volume matches its last sync." />
      <List.Section title="Moved" subtitle={more(counts.moved, files.moved.length) ?? plural(counts.moved, "file")}>
        {files.moved.map((m) => (
          <FileItem key={`m:${m.from}`} root={root} rel={m.to} subtitle={`from ${m.from}`} icon={Icon.ArrowRight} />
        ))}
      </List.Section>
      <List.Section title="New" subtitle={more(counts.new, files.new.length) ?? plural(counts.new, "file")}>
        {files.new.map((rel) => (
          <FileItem key={`n:${rel}`} root={root} rel={rel} icon={Icon.PlusCircle} />
        ))}
      </List.Section>
      <List.Section
        title="Modified"
        subtitle={more(counts.modified, files.modified.length) ?? plural(counts.modified, "file")}
      >
        {files.modified.map((rel) => (
          <FileItem key={`c:${rel}`} root={root} rel={rel} icon={Icon.Pencil} />
        ))}
      </List.Section>
      <List.Section
        title="Deleted"
        subtitle={more(counts.deleted, files.deleted.length) ?? plural(counts.deleted, "file")}
      >
        {files.deleted.map((rel) => (
          <List.Item key={`d:${rel}`} icon={Icon.MinusCircle} title={rel} />
        ))}
      </List.Section>
      <List.Section
        title="Pending Restores"
        subtitle={more(counts.restores, pendingRestores.length) ?? plural(counts.restores, "object")}
      >
        {pendingRestores.map((r) => (
          <List.Item
            key={`r:${r.from}`}
            icon={Icon.Snowflake}
            title={r.to}
            subtitle={`from ${r.from}`}
            accessories={[{ tag: r.storageClass }, { text: r.status }]}
          />
        ))}
      </List.Section>
    </List>
  );
}
