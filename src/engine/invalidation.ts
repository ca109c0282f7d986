// Which keys aws would wrongly keep after the moves (DESIGN.md "Move rules": a move that does not happen
// must not leave its group's keys holding other bytes). aws uploads a file only when its object differs in
// size or is older than the file; a key that holds another file's bytes of the same size, written after
// that file's mtime, is kept as it is. That happens when a move of a swap, chain or cycle did not complete
// (skipped, held, rejected, 412, archived, failed), and when a file was replaced by another of the same size
// dated before the last sync. Those keys are deleted before aws runs, so that aws uploads their files. Pure.
import { keyFor } from "./keys";
import type { MoveOutcome } from "./mover";
import type { Plan } from "./planner";
import type { S3ObjectInfo, ScannedFile } from "./types";

/** What a key holds after the moves: an object, nothing, or something this run cannot tell. */
export type KeyState = S3ObjectInfo | "absent" | "unknown";

/** The files of the plan's `unsure` list that no completed move made right, minus what aws leaves alone. */
export function filesToCheck(
  plan: Pick<Plan, "unsure">,
  outcomes: readonly MoveOutcome[],
  leftAlone: ReadonlySet<string>,
): ScannedFile[] {
  const written = new Set(outcomes.filter((o) => o.status === "done").map((o) => o.move.to));
  return plan.unsure.filter((f) => !written.has(f.path) && !leftAlone.has(f.path));
}

/**
 * The bucket as the moves left it, from a listing taken before them: a completed move's old key is gone
 * (unless another move writes it or its delete failed), and a failed move's source is unknown (a 412 means
 * someone else wrote it). Keys written by completed moves are not asked about: their files are right.
 */
export function bucketAfterMoves(
  listing: ReadonlyMap<string, S3ObjectInfo>,
  outcomes: readonly MoveOutcome[],
): (key: string) => KeyState {
  const destinations = new Set(outcomes.map((o) => o.move.toKey));
  const gone = new Set<string>();
  const unknown = new Set<string>();
  for (const o of outcomes) {
    if (o.status === "done" && !o.deleteFailed && !destinations.has(o.move.fromKey)) gone.add(o.move.fromKey);
    if (o.status === "failed") unknown.add(o.move.fromKey);
  }
  return (key) => {
    if (gone.has(key)) return "absent";
    if (unknown.has(key)) return "unknown";
    return listing.get(key) ?? "absent";
  };
}

/**
 * The keys among `files` that aws would keep although they may hold other bytes: present with the file's
 * size and a LastModified not older than the file (aws's own test; compared in whole seconds, which can only
 * add keys aws would have replaced anyway), or in an unknown state.
 */
export function staleKeys(prefix: string, files: readonly ScannedFile[], state: (key: string) => KeyState): string[] {
  const keys: string[] = [];
  for (const file of files) {
    const key = keyFor(prefix, file.path);
    const object = state(key);
    if (object === "absent") continue;
    if (
      object === "unknown" ||
      (object.size === file.size && Math.floor(object.lastModifiedMs / 1000) >= Math.floor(file.mtimeMs / 1000))
    )
      keys.push(key);
  }
  return keys;
}
