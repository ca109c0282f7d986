// Plain-text rendering of reports for people; `--json` prints the reports themselves.
import { formatBytes, formatDuration, plural } from "../engine/format";
import type { ProofKind } from "../engine/content-proof";
import type { MoveSummary, TargetReport } from "../engine/report";

export const EXIT = {
  OK: 0,
  /** A target failed (bucket, credentials, network, aws transfer, a move). */
  FAILED: 1,
  /** Nothing failed but something was left out: a volume not mounted, files aws skipped, moves waiting for a restore. */
  PARTIAL: 2,
  /** A safety guard refused a target (not the recorded volume, an empty root, too many deletes); S3 untouched. */
  REFUSED: 3,
  USAGE: 64,
  CONFIG: 78,
  /** Another run holds the volume's lock. */
  LOCKED: 75,
  INTERRUPTED: 130,
} as const;

const REFUSALS = new Set(["VOLUME_REFUSED", "DELETES_REFUSED"]);

export function exitCodeFor(reports: readonly TargetReport[]): number {
  const failed = reports.filter((r) => r.status === "failed");
  if (failed.length > 0) {
    if (failed.every((r) => r.error?.code === "LOCKED")) return EXIT.LOCKED;
    if (failed.every((r) => REFUSALS.has(r.error?.code ?? ""))) return EXIT.REFUSED;
    return EXIT.FAILED;
  }
  if (reports.some((r) => r.status === "partial" && (r.moves.failed > 0 || r.aws?.outcome === "failed")))
    return EXIT.FAILED;
  if (reports.some((r) => r.status !== "ok")) return EXIT.PARTIAL;
  return EXIT.OK;
}

const PROOF_TEXT: Record<ProofKind, string> = {
  md5: "MD5",
  "multipart-etag": "multipart ETag",
  crc64nvme: "CRC64NVME",
};

/** What a move rests on, as the report line says it: `inode`, `inode+hash (MD5)`, `hash (multipart ETag)`. */
export function evidenceText(m: Pick<MoveSummary, "evidence" | "proof">): string {
  const evidence = m.evidence ?? "inode";
  return m.proof ? `${evidence} (${PROOF_TEXT[m.proof]})` : evidence;
}

/** A move's source key; one from another target of the batch names its bucket too. */
function sourceText(m: Pick<MoveSummary, "fromKey" | "fromBucket">): string {
  return m.fromBucket ? `s3://${m.fromBucket}/${m.fromKey}` : m.fromKey;
}

export function renderReport(r: TargetReport): string {
  return [...reportLines(r)].join("\n");
}

/** `renderReport(r)` and a newline, in pieces for a StreamOutput. */
export function* reportText(r: TargetReport): Generator<string> {
  for (const line of reportLines(r)) yield line + "\n";
}

/** The report for people, a line at a time (one per move: a million moves must not become one string). */
export function* reportLines(r: TargetReport): Generator<string> {
  const destination = `s3://${r.bucket}/${r.prefix ? `${r.prefix}/` : ""}`;
  const head = `${r.target}: ${r.localPath} → ${destination}${r.dryRun ? " (dry run: nothing changed)" : ""}`;
  yield head;
  if (r.error) {
    yield `  ${r.status === "skipped" ? "Skipped" : "Failed"}: ${r.error.message}`;
    if (r.error.hint) yield `  ${r.error.hint}`;
  }
  for (const notice of r.notices) yield `  note: ${notice}`;
  const planned = r.moves.list.filter((m) => m.status === "planned");
  for (const m of planned)
    yield `  would ${m.copy ? "copy" : "move"} ${sourceText(m)} → ${m.toKey} (${formatBytes(m.size)}, ${evidenceText(m)})`;
  for (const m of r.moves.list.filter((m) => m.status === "done"))
    yield `  ${m.copy ? "copied" : "moved"} ${sourceText(m)} → ${m.toKey} (${formatBytes(m.size)}, ${evidenceText(m)})`;
  for (const m of r.moves.list.filter((m) => m.status === "failed" || m.status === "blocked"))
    yield `  ${m.copy ? "copy" : "move"} failed ${sourceText(m)} → ${m.toKey}: ${m.reason ?? "unknown error"}`;
  for (const m of r.moves.list.filter((m) => m.status === "pending-restore"))
    yield `  waiting for restore (${m.storageClass}): ${m.fromKey} → ${m.toKey}`;
  for (const m of r.moves.list.filter((m) => m.status === "skipped"))
    yield `  not a move: ${m.from} → ${m.to}: ${m.reason}`;
  if (!r.error || r.moves.done > 0) {
    const copies = r.dryRun ? planned.filter((m) => m.copy).length : (r.moves.copied ?? 0);
    const moved = r.dryRun ? planned.length - copies : r.moves.done;
    const what = copies > 0 ? `${plural(moved, "move")}, ${plural(copies, "copy", "copies")}` : plural(moved, "move");
    const parts = [`${what}${r.dryRun ? " planned" : ""} (${formatBytes(r.bytesSaved)} not uploaded)`];
    if (r.hashing) parts.push(`hashed ${formatBytes(r.hashing.bytes)} of ${plural(r.hashing.files, "file")}`);
    if (r.moves.failed) parts.push(`${r.moves.failed} failed`);
    if (r.moves.pendingRestore) parts.push(`${r.moves.pendingRestore} waiting for restore`);
    if (r.aws) {
      const verb = r.dryRun ? "would upload" : "uploaded";
      parts.push(
        `aws ${verb} ${r.aws.uploads}, ${r.dryRun ? "would delete" : "deleted"} ${r.aws.deletes} (exit ${r.aws.exitCode})`,
      );
    }
    if (r.deletes && (r.dryRun || r.deletes.count > 0))
      parts.push(
        `${r.dryRun ? (r.command === "sync" ? "would delete" : "a sync would delete") : "deletes"} ${plural(r.deletes.count, "object")} of ${r.deletes.objects} (cap ${r.deletes.limit})`,
      );
    parts.push(formatDuration(r.durationMs));
    yield `  ${parts.join(" · ")}`;
  }
  if (r.logFile) yield `  log: ${r.logFile}`;
}
