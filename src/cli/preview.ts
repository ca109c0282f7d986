// The Preview Moves commands of the CLI, which Raycast runs as child processes so that no scan, DB or plan
// ever lives in Raycast's own process (DESIGN.md "Long runs started from Raycast"):
//   preview [-t NAME]… [--limit N]   a dry run of the moves of every target (read-only, no lock), plus
//                                    when each target last synced; move lists capped at N per target
//   apply-moves <target> (--all | --from P --to Q …)   makes the chosen moves (with their chains and swaps)
//   skip-move <target> <from> <to> [--undo]             remembers (or forgets) that a move is not wanted
import { stat } from "node:fs/promises";
import path from "node:path";
import { loadConfig } from "../engine/config";
import { openStateDb } from "../engine/db";
import { SmartSyncError } from "../engine/errors";
import type { TargetReport } from "../engine/report";
import { runBatch } from "../engine/batch";
import { runTarget } from "../engine/run";
import { skipMove, unskipMove } from "../engine/skip";
import type { LastRun } from "../engine/status";
import type { Target } from "../engine/types";
import type { CliIO, GlobalOptions } from "./main";
import { EXIT, exitCodeFor, renderReport, reportText } from "./output";
import { reportJsonLine, StreamOutput } from "./stream-output";

/** A target's dry-run report with its move list capped, and what the volume's DB says of its last run. */
export type PreviewLine = TargetReport & { listTotal: number; lastRun: LastRun | null };

export const PREVIEW_LIMIT = 1000;

/** The config's targets with the command line's overrides; `only` must name existing targets. */
export async function configTargets(
  o: GlobalOptions,
  only: string[] | undefined,
  overrides: (t: Target) => Target,
): Promise<Target[]> {
  const config = await loadConfig(o.config);
  const unknown = (only ?? []).filter((name) => !config.targets.some((t) => t.name === name));
  if (unknown.length > 0)
    throw new SmartSyncError("CONFIG_INVALID", `No target named ${unknown.join(", ")} in the config.`, {
      hint: `Targets: ${config.targets.map((t) => t.name).join(", ")}.`,
    });
  return config.targets.filter((t) => !only || only.includes(t.name)).map(overrides);
}

async function lastRunOf(localPath: string): Promise<LastRun | null> {
  try {
    const { db } = await openStateDb({ volumeRoot: localPath, readOnly: true });
    try {
      const text = db.getMeta("last_run");
      return text ? (JSON.parse(text) as LastRun) : null;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

export async function previewCommand(
  io: CliIO,
  o: GlobalOptions & { target?: string[]; limit?: number },
  overrides: (t: Target) => Target,
): Promise<number> {
  const targets = await configTargets(o, o.target, overrides);
  // As a batch: a file moved from one target to another shows as the copy the next batch sync makes.
  const reports = await runBatch(
    { targets },
    { command: "moves", dryRun: true, log: false, env: io.env, signal: io.signal, commandName: "preview" },
  );
  for (const report of reports) {
    const target = targets.find((t) => t.name === report.target)!;
    const list = report.moves.list;
    const line: PreviewLine = {
      ...report,
      moves: { ...report.moves, list: list.slice(0, o.limit ?? PREVIEW_LIMIT) },
      listTotal: list.length,
      lastRun: report.status === "skipped" ? null : await lastRunOf(target.localPath),
    };
    io.stdout.write((o.json ? JSON.stringify(line) : renderReport(line)) + "\n");
  }
  return exitCodeFor(reports);
}

export async function applyMovesCommand(
  io: CliIO,
  name: string,
  o: GlobalOptions & { all?: boolean; from?: string[]; to?: string[] },
  overrides: (t: Target) => Target,
): Promise<number> {
  const from = o.from ?? [];
  const to = o.to ?? [];
  if (from.length !== to.length || (from.length === 0 && !o.all))
    throw new SmartSyncError("USAGE", "Name the moves with --from and --to pairs, or pass --all.");
  const [target] = await configTargets(o, [name], overrides);
  const chosen = new Set(from.map((f, i) => `${f}\0${to[i]}`));
  const report = await runTarget(target!, {
    command: "moves",
    env: io.env,
    signal: io.signal,
    commandName: "apply-moves",
    selectMoves: o.all ? undefined : (m) => chosen.has(`${m.from}\0${m.to}`),
  });
  // `--all` on a renamed folder of a million files: a line (or a JSON element) per move, in chunks.
  const out = new StreamOutput(io.stdout);
  out.write(o.json ? reportJsonLine(report) : reportText(report));
  await out.flushed();
  return exitCodeFor([report]);
}

export async function skipMoveCommand(
  io: CliIO,
  name: string,
  move: { from: string; to: string },
  o: GlobalOptions & { undo?: boolean },
): Promise<number> {
  const [target] = await configTargets(o, [name], (t) => t);
  const root = target!.localPath;
  if (o.undo) {
    await unskipMove(root, move, { commandName: "skip-move" });
  } else {
    // The move's file is unchanged since its last sync (that is what makes it a move): its stat is the record.
    const file = await stat(path.join(root, move.to)).catch(() => {
      throw new SmartSyncError("USAGE", `${path.join(root, move.to)} does not exist.`, {
        hint: "Name the move as Preview Moves (or `s3-smart-sync preview`) lists it: old path, then new path.",
      });
    });
    await skipMove(
      root,
      { ...move, inode: file.ino, size: file.size, mtime: file.mtimeMs / 1000 },
      { commandName: "skip-move" },
    );
  }
  io.stdout.write(
    o.json
      ? JSON.stringify({ target: name, ...move, skipped: !o.undo }) + "\n"
      : `${o.undo ? "No longer skipped" : "Skipped (aws uploads the file instead)"}: ${move.from} → ${move.to}\n`,
  );
  return EXIT.OK;
}
