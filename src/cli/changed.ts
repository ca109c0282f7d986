// `batch --if-changed`: scheduled runs (Raycast's background command, the LaunchAgent) sync only the
// targets whose volume changed since its last sync. The test is the local status (scan + DB, no S3, no
// lock): a volume with nothing new, modified, deleted or moved, no move waiting for a restore and no
// interrupted move batch is left alone, which spares aws a listing of the whole bucket every interval.
// Anything that cannot be told (not mounted, unreadable, another bucket recorded) runs as usual, and the
// run reports it.
import { access } from "node:fs/promises";
import path from "node:path";
import { JOURNAL_FILE } from "../engine/journal";
import { normalizePrefix } from "../engine/keys";
import { volumeStatus } from "../engine/status";
import type { Target } from "../engine/types";

export interface ChangeCheck {
  changed: Target[];
  unchanged: Target[];
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Whether the target has something to sync; true whenever that cannot be told for sure. */
export async function hasChanges(target: Target, signal?: AbortSignal): Promise<boolean> {
  try {
    if (await exists(path.join(target.localPath, JOURNAL_FILE))) return true;
    const status = await volumeStatus({
      localPath: target.localPath,
      excludes: target.excludes,
      prefix: target.prefix,
      signal,
    });
    const recorded = status.target;
    if (!recorded || recorded.bucket !== target.bucket || normalizePrefix(recorded.prefix) !== target.prefix)
      return true;
    if (!status.lastRun || status.lastRun.status === "failed") return true;
    const { plan } = status;
    return (
      plan.newFiles.length + plan.modified.length + plan.deleted.length + plan.moves.length + plan.archived.length >
        0 || status.pendingRestores.length > 0
    );
  } catch {
    return true;
  }
}

export async function splitByChanges(targets: readonly Target[], signal?: AbortSignal): Promise<ChangeCheck> {
  const check: ChangeCheck = { changed: [], unchanged: [] };
  for (const target of targets) {
    if (signal?.aborted) break;
    ((await hasChanges(target, signal)) ? check.changed : check.unchanged).push(target);
  }
  return check;
}
