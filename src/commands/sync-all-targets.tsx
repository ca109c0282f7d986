// Sync All Targets (no-view, made for a hotkey): starts the batch in the background worker, says so in a
// HUD, and reports the end (HUD if quick, else the worker's notification; the menu bar keeps it either way).
import { readSettings } from "./lib/preferences";
import { syncFromHotkey } from "./lib/sync";

export default async function SyncAllTargets(): Promise<void> {
  await syncFromHotkey(readSettings());
}
