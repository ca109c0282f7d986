// `s3-smart-sync status <path>`: pending changes since the last sync, from the scan and the DB alone.
import path from "node:path";
import { loadConfig } from "../engine/config";
import { formatBytes, plural } from "../engine/format";
import { volumeStatus } from "../engine/status";
import type { CliIO, GlobalOptions } from "./main";
import { EXIT } from "./output";

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
    io.stdout.write(
      JSON.stringify({
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
      }) + "\n",
    );
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
    plan.moves.map((m) => `${m.from} → ${m.to} (${formatBytes(m.size)})`),
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
