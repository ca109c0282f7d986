// Stage 3, scan: every file aws would upload. A volume unplugged mid-scan leaves a partial scan that would
// read as files deleted, so the run stops there.
import { readdir } from "node:fs/promises";
import type { AwsFilters } from "../aws-filters";
import { volumeWentAway } from "../errors";
import { TOOL_FILE_PREFIX } from "../filters";
import { LOG_DIR } from "../logger";
import { scanVolume } from "../scanner";
import type { ScanResult, SkippedEntry } from "../types";
import { runFilters } from "./aws-stage";
import type { RunContext } from "./context";
import { assertMounted } from "./open-volume";

export interface VolumeScan extends ScanResult {
  /** Nothing in the root folder but the tool's own files: words the guard's message. */
  rootIsEmpty: boolean;
  /** The target's excludes and the tool's files, as aws is given them: what the scan and the plan leave out. */
  filters: AwsFilters;
}

/** `bornAfterMs`: the files born after it are named in the scan (prove-stage.ts, `recycledAfterMs`). */
export async function scanStage(ctx: RunContext, bornAfterMs?: number): Promise<VolumeScan> {
  const { target } = ctx;
  ctx.phase("scan");
  const filters = runFilters(ctx);
  const scan = await scanVolume({
    root: target.localPath,
    isExcluded: filters.isExcludedPath,
    signal: ctx.options.signal,
    onProgress: (files) => ctx.emit({ type: "scan-progress", target: target.name, files }),
    bornAfterMs,
  });
  try {
    await assertMounted(target.localPath);
  } catch (cause) {
    throw volumeWentAway(
      target.localPath,
      "the scan",
      "Connect the volume again and rerun; nothing was changed in S3 or in the state DB.",
      cause,
    );
  }
  for (const skipped of scan.skipped) ctx.notice(skipNotice(skipped), "warning");
  return { ...scan, filters, rootIsEmpty: scan.files.length === 0 && (await onlyToolFiles(target.localPath)) };
}

function skipNotice(skipped: SkippedEntry): string {
  if (skipped.reason === "invalid-utf8-name")
    return (
      `Skipped ${skipped.path}: its name is not valid UTF-8 (\uFFFD marks the bad bytes) and aws cannot upload it. ` +
      `It (with everything in it, if a folder) is left out of the sync and not recorded as synced; rename it to back it up.`
    );
  return `Skipped ${skipped.path}: ${skipped.reason}${skipped.detail ? ` (${skipped.detail})` : ""}`;
}

async function onlyToolFiles(root: string): Promise<boolean> {
  const names = await readdir(root).catch(() => []);
  return names.every((name) => name === LOG_DIR || name.startsWith(TOOL_FILE_PREFIX));
}
