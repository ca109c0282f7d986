// Scheduled Sync (no-view, background `interval`): Raycast runs it on its interval once the user turns it
// on (by running it once, or in its preferences). Each run starts the detached worker for the targets that
// can sync now and returns; the menu bar shows what it decided and how the sync went.
import { environment, launchCommand, LaunchType, showHUD, updateCommandMetadata } from "@raycast/api";
import { readSettings } from "./lib/preferences";
import { MENU_BAR_COMMAND } from "./lib/sync";
import { scheduledCheck } from "./scheduled/run";
import { scheduleText } from "./scheduled/state";

export default async function ScheduledSync(): Promise<void> {
  const state = await scheduledCheck(readSettings());
  const text = scheduleText(state);
  await updateCommandMetadata({ subtitle: `${new Date(state.checkedAt).toLocaleTimeString()}: ${text}` });
  try {
    await launchCommand({ name: MENU_BAR_COMMAND, type: LaunchType.Background });
  } catch {
    // The menu bar command is not enabled.
  }
  if (environment.launchType === LaunchType.UserInitiated) await showHUD(`Scheduled Sync Is On · ${text}`);
}
