// `s3-smart-sync status [path]`: pending changes since the last sync, from the scan and the DB alone (no S3,
// no lock): for one folder, or for every target of the config with capped lists (what Raycast's Status shows).
import { stat } from "node:fs/promises";
import path from "node:path";
import { loadConfig } from "../engine/config";
import { SmartSyncError } from "../engine/errors";
import { formatBytes, plural } from "../engine/format";
import { lockHolder, type LockInfo } from "../engine/lock";
import { volumeStatus, type VolumeStatus } from "../engine/status";
import type { Target } from "../engine/types";
import type { CliIO, GlobalOptions } from "./main";
import { EXIT, evidenceText } from "./output";
import { jsonLine, StreamOutput } from "./stream-output";

const LIST_LIMIT = 20;

/** The config's excludes for this path, when a target names it and the config can be read. */
async function configExcludes(root: string, file?: string): Promise<string[] | undefined> {
  try {
    const config = await loadConfig(file);
    return config.targets.find((t) => t.localPath === root)?.excludes;
  } catch {
    return undefined;
  }
}

export async function statusCommand(
  io: CliIO,
  localPath: string,
  o: GlobalOptions & { exclude?: string[] },
): Promise<number> {
  const root = path.resolve(localPath.replace(/\/\.$/, "") || "/");
  const excludes = o.exclude ?? (await configExcludes(root, o.config)) ?? [];
  const status = await volumeStatus({ localPath: root, excludes, signal: io.signal });
  const { plan } = status;
  if (o.json) {
    const line = {
      localPath: root,
      target: status.target,
      lastRun: status.lastRun,
      bytesSavedTotal: status.bytesSavedTotal,
      moved: plan.moves.map((m) => ({ from: m.from, to: m.to, size: m.size })),
      new: plan.newFiles.map((f) => f.path),
      modified: plan.modified.map((f) => f.path),
      deleted: plan.deleted.map((r) => r.path),
      unchanged: plan.unchangedCount,
      notMoves: plan.rejected,
      bytesSavedByMoves: plan.bytesSaved,
      pendingRestores: status.pendingRestores,
      skipped: status.skipped,
      notices: status.notices,
    };
    // Every pending path: a volume never synced lists each of its files as new (a million of them).
    const out = new StreamOutput(io.stdout);
    out.write(jsonLine(line, [line.moved, line.new, line.modified, line.deleted, line.notMoves]));
    await out.flushed();
    return EXIT.OK;
  }
  const out: string[] = [];
  const where = status.target
    ? `s3://${status.target.bucket}/${status.target.prefix ? `${status.target.prefix}/` : ""}`
    : "never synced";
  out.push(`${root} (${where})`);
  if (status.lastRun) out.push(`Last run: ${status.lastRun.at} (${status.lastRun.command}, ${status.lastRun.status})`);
  for (const notice of status.notices) out.push(`note: ${notice}`);
  out.push(
    `Pending: ${plural(plan.moves.length, "move")} (saves ${formatBytes(plan.bytesSaved)} of upload), ` +
      `${plan.newFiles.length} new, ${plan.modified.length} modified, ${plan.deleted.length} deleted, ${plan.unchangedCount} unchanged`,
  );
  const section = (title: string, items: string[]) => {
    if (items.length === 0) return;
    out.push(`${title}:`);
    for (const item of items.slice(0, LIST_LIMIT)) out.push(`  ${item}`);
    if (items.length > LIST_LIMIT) out.push(`  … and ${items.length - LIST_LIMIT} more (--json lists all)`);
  };
  section(
    "Moved",
    // Status asks nothing of S3: its moves rest on the inode; a sync may also prove new files by content.
    plan.moves.map((m) => `${m.from} → ${m.to} (${formatBytes(m.size)}, ${evidenceText(m)})`),
  );
  section(
    "New",
    plan.newFiles.map((f) => f.path),
  );
  section(
    "Modified",
    plan.modified.map((f) => f.path),
  );
  section(
    "Deleted",
    plan.deleted.map((r) => r.path),
  );
  section(
    "Waiting for restore",
    status.pendingRestores.map((r) => `${r.fromPath} → ${r.toPath} (${r.storageClass}, ${r.status})`),
  );
  if (status.bytesSavedTotal > 0) out.push(`Saved so far by server-side moves: ${formatBytes(status.bytesSavedTotal)}`);
  io.stdout.write(out.join("\n") + "\n");
  return EXIT.OK;
}

/** What `status --json` (no path: every target of the config) prints per target; lists are capped. */
export interface TargetStatusLine {
  target: string;
  localPath: string;
  bucket: string;
  prefix: string;
  mounted: boolean;
  /** The bucket/prefix the volume's state describes; null before its first sync. */
  recorded: { bucket: string; prefix: string } | null;
  lastRun: VolumeStatus["lastRun"];
  bytesSavedTotal: number;
  counts: { new: number; modified: number; deleted: number; moved: number; unchanged: number; restores: number };
  /** Bytes the pending moves save from upload. */
  bytesToMove: number;
  files: { new: string[]; modified: string[]; deleted: string[]; moved: { from: string; to: string }[] };
  pendingRestores: { from: string; to: string; status: string; storageClass: string }[];
  notices: string[];
  /** The run holding the volume's lock, if any. */
  syncing?: LockInfo;
  error?: { code: string; message: string; hint?: string };
}

export async function targetStatusLine(target: Target, limit: number, signal?: AbortSignal): Promise<TargetStatusLine> {
  const line: TargetStatusLine = {
    target: target.name,
    localPath: target.localPath,
    bucket: target.bucket,
    prefix: target.prefix,
    mounted: await isDirectory(target.localPath),
    recorded: null,
    lastRun: null,
    bytesSavedTotal: 0,
    counts: { new: 0, modified: 0, deleted: 0, moved: 0, unchanged: 0, restores: 0 },
    bytesToMove: 0,
    files: { new: [], modified: [], deleted: [], moved: [] },
    pendingRestores: [],
    notices: [],
  };
  if (!line.mounted) return line;
  try {
    line.syncing = await lockHolder(target.localPath);
    const status = await volumeStatus({
      localPath: target.localPath,
      excludes: target.excludes,
      prefix: target.prefix,
      signal,
    });
    const { plan } = status;
    const moved = [...plan.moves, ...plan.archived];
    Object.assign(line, {
      recorded: status.target,
      lastRun: status.lastRun,
      bytesSavedTotal: status.bytesSavedTotal,
      counts: {
        new: plan.newFiles.length,
        modified: plan.modified.length,
        deleted: plan.deleted.length,
        moved: moved.length,
        unchanged: plan.unchangedCount,
        restores: status.pendingRestores.length,
      },
      bytesToMove: plan.bytesSaved,
      files: {
        new: plan.newFiles.slice(0, limit).map((f) => f.path),
        modified: plan.modified.slice(0, limit).map((f) => f.path),
        deleted: plan.deleted.slice(0, limit).map((r) => r.path),
        moved: moved.slice(0, limit).map((m) => ({ from: m.from, to: m.to })),
      },
      pendingRestores: status.pendingRestores.slice(0, limit).map((r) => ({
        from: r.fromPath,
        to: r.toPath,
        status: r.status,
        storageClass: r.storageClass,
      })),
      notices: status.notices,
    });
  } catch (error) {
    line.error = describeError(error);
  }
  return line;
}

async function isDirectory(root: string): Promise<boolean> {
  try {
    return (await stat(root)).isDirectory();
  } catch {
    return false;
  }
}

function describeError(error: unknown): { code: string; message: string; hint?: string } {
  if (error instanceof SmartSyncError) return { code: error.code, message: error.message, hint: error.hint };
  return { code: "UNEXPECTED", message: error instanceof Error ? error.message : String(error) };
}

/** `status` without a path: every target of the config (or those named with -t), one line or JSON object each. */
export async function statusAllCommand(
  io: CliIO,
  o: GlobalOptions & { target?: string[]; limit?: number },
): Promise<number> {
  const config = await loadConfig(o.config);
  const unknown = (o.target ?? []).filter((name) => !config.targets.some((t) => t.name === name));
  if (unknown.length > 0)
    throw new SmartSyncError("CONFIG_INVALID", `No target named ${unknown.join(", ")} in the config.`, {
      hint: `Targets: ${config.targets.map((t) => t.name).join(", ")}.`,
    });
  const targets = o.target ? config.targets.filter((t) => o.target!.includes(t.name)) : config.targets;
  for (const target of targets) {
    const line = await targetStatusLine(target, o.limit ?? LIST_LIMIT, io.signal);
    if (o.json) {
      io.stdout.write(JSON.stringify(line) + "\n");
      continue;
    }
    const { counts } = line;
    const pending = [
      counts.moved && plural(counts.moved, "move"),
      counts.new && `${counts.new} new`,
      counts.modified && `${counts.modified} modified`,
      counts.deleted && `${counts.deleted} deleted`,
      counts.restores && `${plural(counts.restores, "restore")} pending`,
    ].filter(Boolean);
    const state = !line.mounted
      ? "not mounted"
      : line.error
        ? `error: ${line.error.message}`
        : pending.length
          ? pending.join(", ")
          : "up to date";
    const last = line.lastRun ? `; last sync ${line.lastRun.at} (${line.lastRun.status})` : "";
    const syncing = line.syncing ? `; ${line.syncing.command} running (pid ${line.syncing.pid})` : "";
    io.stdout.write(`${line.target}: ${state}${last}${syncing}\n`);
  }
  return EXIT.OK;
}
