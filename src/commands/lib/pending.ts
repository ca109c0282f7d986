// What each target has pending, as Status and Preview Moves last found it, kept in Raycast's Cache (shared
// by the extension's commands) for the menu bar, which must not scan anything itself.
import { Cache } from "@raycast/api";

export interface Pending {
  /** When it was found (ISO). */
  at: string;
  moves?: number;
  /** Files aws would upload (new and modified). */
  uploads?: number;
  /** Objects a sync would delete, as a dry run (Preview Moves) counted them. */
  deletes?: number;
  /** Files deleted on the volume since its last sync (Status): aws deletes their objects. */
  localDeletes?: number;
  /** Bytes server-side moves saved on this volume so far (from its DB, through Status). */
  bytesSavedTotal?: number;
}

const KEY = "pending-by-target";
const cache = new Cache();

export function readPending(): Record<string, Pending> {
  try {
    return JSON.parse(cache.get(KEY) ?? "{}") as Record<string, Pending>;
  } catch {
    return {};
  }
}

/** Merges what was found for these targets into the cache. */
export function recordPending(found: Record<string, Omit<Pending, "at">>, at = new Date().toISOString()): void {
  const all = readPending();
  for (const [target, pending] of Object.entries(found)) all[target] = { ...all[target], ...pending, at };
  cache.set(KEY, JSON.stringify(all));
}
