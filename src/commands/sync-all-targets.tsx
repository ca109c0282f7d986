// Sync All Targets (no-view, made for a hotkey): starts the batch in the background worker and follows it.
import { readSettings } from "./lib/preferences";
import { syncWithToast } from "./lib/sync";

export default async function SyncAllTargets(): Promise<void> {
  await syncWithToast(readSettings(), { finish: "hud" });
}
