// Where plain `aws s3 sync --delete` would destroy data, the tool refuses (DESIGN.md "Guards"). Pure rules
// over what the run saw; the run stages gather the evidence and throw the refusal before any request that
// changes S3.
import { GuardError } from "./errors";
import type { RecordedVolume } from "./user-state";
import type { VolumeFacts } from "./volume-facts";

export interface VolumeEvidence {
  root: string;
  /** `s3://bucket/prefix/`, for messages. */
  destination: string;
  facts: VolumeFacts;
  /** The id in the volume's state DB; null when there is no usable DB on the volume. */
  dbId: string | null;
  /** What was recorded at the last sync: this user's state folder first, else the volume's own DB. */
  recorded?: { volume: RecordedVolume; lastSyncAt: string };
  /** Files the scan found to sync (after excludes). */
  filesFound: number;
  /** Anything at all in the root folder, excluded or not: words the message. */
  rootIsEmpty: boolean;
  bucketHasObjects: boolean;
}

const ACCEPT = "--accept-volume";

function day(iso: string): string {
  return iso.slice(0, 10);
}

/** Refuses a root that is not the volume this target was synced from, or is empty over a full prefix. */
export function judgeVolume(e: VolumeEvidence): GuardError | undefined {
  const recorded = e.recorded;
  const when = recorded ? ` synced on ${day(recorded.lastSyncAt)}` : "";
  if (recorded?.volume.mountPoint && !e.facts.isMountPoint) {
    const what = e.rootIsEmpty ? "an empty folder" : "a folder on another disk";
    return new GuardError("VOLUME_REFUSED", `${e.root} is ${what}, not the drive${when} — is the drive connected?`, {
      hint:
        `Connect the drive and run again; nothing was changed in S3. If this folder holds the files now on ` +
        `purpose, run again with ${ACCEPT}.`,
      retryable: true,
    });
  }
  if (recorded?.volume.uuid && e.facts.uuid && recorded.volume.uuid !== e.facts.uuid) {
    return new GuardError(
      "VOLUME_REFUSED",
      `${e.root} is another volume (UUID ${e.facts.uuid}) than the one${when} (UUID ${recorded.volume.uuid}).`,
      {
        hint: `Connect the right drive; nothing was changed in S3. If this volume replaces it on purpose, run again with ${ACCEPT}.`,
      },
    );
  }
  if (recorded && e.dbId && recorded.volume.dbId !== e.dbId) {
    return new GuardError(
      "VOLUME_REFUSED",
      `The state DB on ${e.root} belongs to another volume (id ${e.dbId}) than the one${when} (id ${recorded.volume.dbId}).`,
      {
        hint: `Check which drive is mounted at ${e.root}; nothing was changed in S3. If it is the right one, run again with ${ACCEPT}.`,
      },
    );
  }
  if (e.filesFound === 0 && e.bucketHasObjects) {
    const what = e.rootIsEmpty ? "an empty folder" : "a folder with no files to sync";
    return new GuardError(
      "VOLUME_REFUSED",
      `${e.root} is ${what} while ${e.destination} holds objects — is the drive connected?`,
      {
        hint:
          `Connect the drive and run again; nothing was changed in S3. To delete every object under ` +
          `${e.destination} on purpose, run again with ${ACCEPT} --allow-deletes.`,
        retryable: true,
      },
    );
  }
  return undefined;
}

/** How many of a prefix's objects one sync may delete before it must be confirmed. */
export interface DeletionCap {
  /** At most this many deletes. */
  maxDeletes: number;
  /** At most this share (0–1) of the prefix's objects, once it holds MIN_OBJECTS_FOR_SHARE. */
  maxShare: number;
}

export const DEFAULT_DELETION_CAP: DeletionCap = { maxDeletes: 10_000, maxShare: 0.5 };
/** Below this many objects the share is not applied: deleting 3 of 4 files is an ordinary day. */
export const MIN_OBJECTS_FOR_SHARE = 20;

export interface DeletesEvidence {
  /** Objects aws would delete. */
  count: number;
  /** Objects under the prefix. */
  objects: number;
  /** Where the counts come from: the bucket's listing, or the state DB's records. */
  source: "listing" | "state-db";
}

/** The largest number of deletes allowed without confirmation. */
export function deletionLimit(objects: number, cap: DeletionCap = DEFAULT_DELETION_CAP): number {
  const byShare = objects >= MIN_OBJECTS_FOR_SHARE ? Math.floor(objects * cap.maxShare) : Infinity;
  return Math.min(cap.maxDeletes, byShare);
}

export function judgeDeletes(e: DeletesEvidence & { destination: string; cap?: DeletionCap }): GuardError | undefined {
  const limit = deletionLimit(e.objects, e.cap);
  if (e.count <= limit) return undefined;
  const share = e.objects > 0 ? ` (${Math.round((e.count / e.objects) * 100)}% of ${e.objects})` : "";
  return new GuardError(
    "DELETES_REFUSED",
    `This sync would delete ${e.count} objects${share} under ${e.destination}, more than the cap of ${limit}.`,
    {
      hint:
        "Nothing was changed in S3. Check that the volume holds what you expect (a dry run lists the deletes); " +
        "to delete them on purpose, run again with --allow-deletes, or raise max_deletes / max_delete_share in the config.",
    },
  );
}
