// Stage 3, scan: every file aws would upload. A volume unplugged mid-scan leaves a partial scan that would
// read as files deleted, so the run stops there.
import { readdir } from "node:fs/promises";
import { SmartSyncError } from "../errors";
import { TOOL_FILE_PREFIX } from "../filters";
import { LOG_DIR } from "../logger";
import { scanVolume } from "../scanner";
import type { ScanResult } from "../types";
import type { RunContext } from "./context";
import { assertMounted } from "./open-volume";

export interface VolumeScan extends ScanResult {
  /** Nothing in the root folder but the tool's own files: words the guard's message. */
  rootIsEmpty: boolean;
}

export async function scanStage(ctx: RunContext): Promise<VolumeScan> {
  const { target } = ctx;
  ctx.phase("scan");
  const scan = await scanVolume({
    root: target.localPath,
    excludes: [...target.excludes],
    signal: ctx.options.signal,
    onProgress: (files) => ctx.emit({ type: "scan-progress", target: target.name, files }),
  });
  try {
    await assertMounted(target.localPath);
  } catch (cause) {
    throw new SmartSyncError("VOLUME_MISSING", `${target.localPath} went away during the scan.`, {
      hint: "Connect the volume again and rerun; nothing was changed in S3 or in the state DB.",
      cause,
    });
  }
  for (const skipped of scan.skipped)
    ctx.notice(`Skipped ${skipped.path}: ${skipped.reason}${skipped.detail ? ` (${skipped.detail})` : ""}`, "warning");
  return { ...scan, rootIsEmpty: scan.files.length === 0 && (await onlyToolFiles(target.localPath)) };
}

async function onlyToolFiles(root: string): Promise<boolean> {
  const names = await readdir(root).catch(() => []);
  return names.every((name) => name === LOG_DIR || name.startsWith(TOOL_FILE_PREFIX));
}
