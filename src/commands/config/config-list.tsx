// Edit Config: the config's targets as a list; add, edit, duplicate and remove them in a form; every
// problem of the file shown with its line, never a crash.
import { Action, ActionPanel, Alert, confirmAlert, Color, Icon, Keyboard, List, showToast, Toast } from "@raycast/api";
import { useCachedPromise } from "@raycast/utils";
import { s3Uri } from "../../engine/keys";
import { readConfig } from "../lib/config";
import { createConfig } from "../lib/config-error-view";
import { readSettings } from "../lib/preferences";
import { failureOf, showFailure } from "../lib/toast";
import { removeTarget } from "./save";
import { TargetForm } from "./target-form";

export function ConfigList() {
  const { configPath } = readSettings();
  const { data, isLoading, revalidate } = useCachedPromise(readConfig, [configPath]);

  const fileActions = (
    <ActionPanel.Section>
      <Action.Open
        title="Open Config in Editor"
        icon={Icon.Pencil}
        target={configPath}
        shortcut={Keyboard.Shortcut.Common.Open}
      />
      <Action.ShowInFinder path={configPath} shortcut={{ modifiers: ["cmd", "shift"], key: "f" }} />
      <Action.CopyToClipboard
        title="Copy Config Path"
        content={configPath}
        shortcut={Keyboard.Shortcut.Common.CopyPath}
      />
    </ActionPanel.Section>
  );
  const addAction = (
    <Action.Push
      title="Add Target"
      icon={Icon.Plus}
      shortcut={Keyboard.Shortcut.Common.New}
      target={
        <TargetForm
          configFile={configPath}
          title="Add Target"
          defaults={data?.kind === "read" ? data.config : undefined}
          onSaved={revalidate}
        />
      }
    />
  );

  if (data?.kind === "missing") {
    return (
      <List isLoading={isLoading}>
        <List.EmptyView
          icon={Icon.Document}
          title="No Config File"
          description={`${configPath} does not exist yet.`}
          actions={
            <ActionPanel>
              <Action
                title="Create Config"
                icon={Icon.NewDocument}
                onAction={async () => {
                  await createConfig(configPath);
                  revalidate();
                }}
              />
            </ActionPanel>
          }
        />
      </List>
    );
  }

  const config = data?.config;
  return (
    <List isLoading={isLoading || !data} searchBarPlaceholder="Filter targets by name, folder or bucket">
      {data ? (
        <List.EmptyView
          icon={Icon.HardDrive}
          title="No Targets"
          description="Add the first folder to mirror to S3."
          actions={
            <ActionPanel>
              {addAction}
              {fileActions}
            </ActionPanel>
          }
        />
      ) : null}
      {config && config.problems.length > 0 ? (
        <List.Section title="Errors" subtitle={`${config.problems.length}`}>
          {config.problems.map((p) => (
            <List.Item
              key={`${p.line}:${p.message}`}
              icon={{ source: Icon.Warning, tintColor: Color.Red }}
              title={`Line ${p.line}`}
              subtitle={p.message}
              actions={<ActionPanel>{fileActions}</ActionPanel>}
            />
          ))}
        </List.Section>
      ) : null}
      <List.Section title="Targets">
        {(config?.entries ?? []).map((entry, index) => {
          const target = config!.targets[index]!;
          return (
            <List.Item
              key={entry.line}
              icon={Icon.HardDrive}
              title={target.name}
              subtitle={`${entry.written.localPath} → ${s3Uri(target.bucket, target.prefix)}`}
              keywords={[entry.written.localPath, target.bucket]}
              accessories={[
                ...(target.profile ? [{ tag: target.profile, tooltip: "AWS profile" }] : []),
                { text: `Line ${entry.line}` },
              ]}
              actions={
                <ActionPanel>
                  <ActionPanel.Section>
                    <Action.Push
                      title="Edit Target"
                      icon={Icon.Pencil}
                      shortcut={Keyboard.Shortcut.Common.Edit}
                      target={
                        <TargetForm
                          configFile={configPath}
                          title={`Edit ${target.name}`}
                          initial={entry.written}
                          line={entry.line}
                          defaults={config}
                          onSaved={revalidate}
                        />
                      }
                    />
                    {addAction}
                    <Action.Push
                      title="Duplicate Target"
                      icon={Icon.Duplicate}
                      shortcut={Keyboard.Shortcut.Common.Duplicate}
                      target={
                        <TargetForm
                          configFile={configPath}
                          title={`Duplicate ${target.name}`}
                          initial={{ ...entry.written, options: { ...entry.written.options, name: undefined } }}
                          defaults={config}
                          onSaved={revalidate}
                        />
                      }
                    />
                    <Action
                      title="Remove Target"
                      icon={Icon.Trash}
                      style={Action.Style.Destructive}
                      shortcut={Keyboard.Shortcut.Common.Remove}
                      onAction={async () => {
                        const confirmed = await confirmAlert({
                          title: `Remove ${target.name}?`,
                          message: `Line ${entry.line} is removed from the config. The folder and the bucket are not touched.`,
                          primaryAction: { title: "Remove", style: Alert.ActionStyle.Destructive },
                        });
                        if (!confirmed) return;
                        try {
                          await removeTarget(configPath, entry.line);
                          await showToast({
                            style: Toast.Style.Success,
                            title: "Target Removed",
                            message: target.name,
                          });
                        } catch (error) {
                          await showFailure("Could Not Remove Target", failureOf(error), { configFile: configPath });
                        }
                        revalidate();
                      }}
                    />
                  </ActionPanel.Section>
                  {fileActions}
                </ActionPanel>
              }
            />
          );
        })}
      </List.Section>
    </List>
  );
}
