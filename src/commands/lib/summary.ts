// The words the commands use for a finished batch: one HUD line, the failures and the skipped volumes.
import { formatBytes, plural, type TargetReport } from "../../engine";

export function syncSummary(reports: readonly TargetReport[]): string {
  const synced = reports.filter((r) => r.status === "ok" || r.status === "partial");
  const moves = synced.reduce((sum, r) => sum + r.moves.done, 0);
  const saved = synced.reduce((sum, r) => sum + r.bytesSaved, 0);
  const parts = [
    `${plural(synced.length, "target")} synced`,
    plural(moves, "move"),
    `${formatBytes(saved)} not uploaded`,
  ];
  const skipped = reports.filter((r) => r.status === "skipped");
  if (skipped.length > 0) parts.push(`${skipped.map((r) => r.target).join(", ")} not mounted (skipped)`);
  const failed = reports.filter((r) => r.status === "failed");
  if (failed.length > 0) parts.push(`${failed.length} failed`);
  return parts.join(" · ");
}
