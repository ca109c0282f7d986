// Which objects `aws s3 sync --delete` will delete: the deletion guard's evidence. Pure.
import type { DeletesEvidence } from "./guards";
import { pathForKey } from "./keys";
import type { Plan } from "./planner";
import type { S3ObjectInfo, ScannedFile } from "./types";

export interface DeletesInput {
  prefix: string;
  scan: readonly ScannedFile[];
  plan: Plan;
  /** The prefix's listing; without it the count comes from the state DB's records (plan.deleted). */
  objects?: ReadonlyMap<string, S3ObjectInfo>;
  /** Records in the state DB, when there is no listing. */
  recordCount: number;
  /** aws's exclude test for a key relative to the prefix. */
  isExcludedKey: (relKey: string) => boolean;
}

export function countAwsDeletes(input: DeletesInput): DeletesEvidence {
  const { objects, plan } = input;
  if (!objects) return { count: plan.deleted.length, objects: input.recordCount, source: "state-db" };
  const local = new Set(input.scan.map((f) => f.path));
  // Old keys of moves are deleted by the mover once copied, not by aws.
  const movedAway = new Set(plan.moves.map((m) => m.fromKey));
  let count = 0;
  for (const key of objects.keys()) {
    const rel = pathForKey(input.prefix, key);
    // Zero-byte "folder/" markers are never deleted by aws.
    if (rel === null || rel.endsWith("/")) continue;
    if (local.has(rel) || movedAway.has(key) || input.isExcludedKey(rel)) continue;
    count++;
  }
  return { count, objects: objects.size, source: "listing" };
}
