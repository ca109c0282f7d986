// What the scheduled sync decided at its last check, kept under the support folder for the menu bar.
import { environment } from "@raycast/api";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Failure } from "../lib/failure";

export interface ScheduleState {
  checkedAt: string;
  /** Targets handed to the worker (it syncs those whose volume changed). */
  started: string[];
  skipped: { target: string; reason: string }[];
  /** Why the check could not run at all (config, the worker would not start). */
  error?: Failure;
}

export function scheduleStatePath(): string {
  return path.join(environment.supportPath, "schedule-state.json");
}

export async function readScheduleState(): Promise<ScheduleState | undefined> {
  try {
    return JSON.parse(await readFile(scheduleStatePath(), "utf8")) as ScheduleState;
  } catch {
    return undefined;
  }
}

export async function writeScheduleState(state: ScheduleState): Promise<void> {
  await mkdir(environment.supportPath, { recursive: true });
  await writeFile(scheduleStatePath(), JSON.stringify(state));
}

/** One line for the command's subtitle, the HUD and the menu bar. */
export function scheduleText(state: ScheduleState): string {
  if (state.error) return `Could not check: ${state.error.message}`;
  const parts: string[] = [];
  if (state.started.length > 0) parts.push(`Syncing ${state.started.join(", ")} if changed`);
  for (const s of state.skipped) parts.push(`${s.target} ${s.reason}`);
  return parts.join(" · ") || "No targets";
}
