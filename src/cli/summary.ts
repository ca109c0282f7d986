// The one-line summary of a finished batch, shared by the worker's notification and Raycast's HUD and menu
// bar: "4 targets synced · 52 moves · 3.1 GB not uploaded · 12 files uploaded (40 MB)".
import { formatBytes, plural } from "../engine/format";
import type { TargetReport } from "../engine/report";
import type { SyncState, UploadTally } from "./state-file";

/** Codes of the safety guards: the target was refused, nothing in S3 changed. */
export const REFUSED_CODES = new Set(["VOLUME_REFUSED", "DELETES_REFUSED"]);

export function isRefused(report: Pick<TargetReport, "error">): boolean {
  return !!report.error && REFUSED_CODES.has(report.error.code);
}

export function syncSummary(
  reports: readonly TargetReport[],
  uploaded: Record<string, UploadTally> = {},
  unchanged: readonly string[] = [],
): string {
  const synced = reports.filter((r) => r.status === "ok" || r.status === "partial");
  const moves = synced.reduce((sum, r) => sum + r.moves.done, 0);
  const saved = synced.reduce((sum, r) => sum + r.bytesSaved, 0);
  const files = synced.reduce((sum, r) => sum + (uploaded[r.target]?.files ?? r.aws?.uploads ?? 0), 0);
  const bytes = synced.reduce((sum, r) => sum + (uploaded[r.target]?.bytes ?? 0), 0);
  const parts = [
    `${plural(synced.length, "target")} synced`,
    plural(moves, "move"),
    `${formatBytes(saved)} not uploaded`,
    `${plural(files, "file")} uploaded${bytes > 0 ? ` (${formatBytes(bytes)})` : ""}`,
  ];
  if (unchanged.length > 0) parts.push(`${unchanged.length} up to date`);
  const skipped = reports.filter((r) => r.status === "skipped");
  if (skipped.length > 0) parts.push(`${skipped.map((r) => r.target).join(", ")} not mounted (skipped)`);
  const refused = reports.filter((r) => r.status === "failed" && isRefused(r));
  if (refused.length > 0) parts.push(`${refused.map((r) => r.target).join(", ")} refused`);
  const failed = reports.filter((r) => r.status === "failed" && !isRefused(r));
  if (failed.length > 0) parts.push(`${failed.map((r) => r.target).join(", ")} failed`);
  return parts.join(" · ");
}

/** Title and message of the end-of-run notification (and of the HUD that stands in for it). */
export function finishedMessage(state: SyncState): {
  title: string;
  message: string;
  failed: boolean;
  /** The first failed target was refused by a safety guard: the user must act before a retry can help. */
  refused: boolean;
} {
  if (state.error) return { title: "Sync Failed", message: state.error.message, failed: true, refused: false };
  const summary = syncSummary(state.reports, state.uploaded, state.unchanged);
  if (state.stopped) return { title: "Sync Stopped", message: summary, failed: false, refused: false };
  const failed = state.reports.filter((r) => r.status === "failed");
  if (failed.length === 0) return { title: "Sync Finished", message: summary, failed: false, refused: false };
  const first = failed[0]!;
  const more = failed.length > 1 ? ` (and ${failed.length - 1} more)` : "";
  const refused = isRefused(first);
  const title = refused ? `Sync Refused: ${first.target}${more}` : `Sync Failed: ${first.target}${more}`;
  return { title, message: first.error?.message ?? summary, failed: true, refused };
}
