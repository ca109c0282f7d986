// The empty view of a list whose config cannot be used: what is wrong, and a way to open the file.
import { Action, ActionPanel, Icon, List } from "@raycast/api";
import type { Failure } from "./toast";

export function ConfigErrorView({ failure, configFile }: { failure: Failure; configFile: string }) {
  return (
    <List.EmptyView
      icon={Icon.Warning}
      title={failure.code === "CONFIG_MISSING" ? "No Config File" : "Config Has Errors"}
      description={[failure.message, failure.hint].filter(Boolean).join(" ")}
      actions={
        <ActionPanel>
          <Action.Open title="Open Config" target={configFile} />
        </ActionPanel>
      }
    />
  );
}
