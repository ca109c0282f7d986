// The empty view of a list whose config cannot be used: what is wrong, and the way out (Create Config when
// there is no file, Open Config when it has mistakes).
import { Action, ActionPanel, Icon, List, showToast, Toast } from "@raycast/api";
import { initConfig } from "../../engine/config";
import { NO_CONFIG_CODE } from "./config";
import { failureOf, type Failure } from "./failure";
import { showFailure } from "./toast";

/** Writes the commented sample config; tells the user either way. */
export async function createConfig(configFile: string): Promise<boolean> {
  try {
    await initConfig(configFile);
    await showToast({ style: Toast.Style.Success, title: "Config Created", message: configFile });
    return true;
  } catch (error) {
    await showFailure("Could Not Create Config", failureOf(error));
    return false;
  }
}

export function ConfigErrorView({
  failure,
  configFile,
  onCreated,
}: {
  failure: Failure;
  configFile: string;
  onCreated: () => void;
}) {
  const missing = failure.code === NO_CONFIG_CODE;
  return (
    <List.EmptyView
      icon={missing ? Icon.Document : Icon.Warning}
      title={missing ? "No Config File" : "Config Has Errors"}
      description={
        missing ? `${configFile} does not exist yet. Create it, then add targets with Edit Config.` : failure.message
      }
      actions={
        <ActionPanel>
          {missing ? (
            <Action
              title="Create Config"
              icon={Icon.NewDocument}
              onAction={async () => {
                await createConfig(configFile);
                onCreated();
              }}
            />
          ) : (
            <Action.Open title="Open Config" icon={Icon.Pencil} target={configFile} />
          )}
        </ActionPanel>
      }
    />
  );
}
