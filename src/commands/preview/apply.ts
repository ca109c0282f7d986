// Apply Move / Apply All Moves / Skip Move (with Undo): the CLI's `apply-moves` and `skip-move` in a child
// process. Applying takes the volume's lock, so a sync running on the volume makes it fail safe.
import { Alert, confirmAlert, showToast, Toast } from "@raycast/api";
import { formatBytes, plural } from "../../engine/format";
import { s3Uri } from "../../engine/keys";
import type { TargetReport } from "../../engine/report";
import type { Target } from "../../engine/types";
import { runCli } from "../lib/cli";
import { logFilePath } from "../lib/config";
import type { Settings } from "../lib/preferences";
import { counted } from "../lib/text";
import { failureOf, showFailure } from "../lib/toast";
import { moveTitle, type PreviewMove } from "./fetch";

/** Applies `moves` (each brings its chain or swap along), or every pending move of the target with `all`. */
export async function applyMoves(
  target: Target,
  moves: PreviewMove[],
  settings: Settings,
  options: { all?: boolean } = {},
): Promise<void> {
  const toast = await showToast({
    style: Toast.Style.Animated,
    title: moves.length === 1 ? `Moving ${moveTitle(moves[0]!)}` : `Applying ${plural(moves.length, "Move")}`,
  });
  const pairs = options.all ? ["--all"] : moves.flatMap((m) => ["--from", m.from, "--to", m.to]);
  let report: TargetReport | undefined;
  try {
    report = (await runCli<TargetReport>(settings, ["apply-moves", target.name, ...pairs])).lines[0];
    if (!report) throw new Error("The engine printed no report.");
  } catch (error) {
    await toast.hide();
    await showFailure(`Could Not Move in ${target.name}`, failureOf(error), { configFile: settings.configPath });
    return;
  }
  await toast.hide();
  const failureOptions = {
    configFile: settings.configPath,
    logFile: logFilePath(report.localPath, report.logFile),
    retry: () => applyMoves(target, moves, settings, options),
  };
  if (report.error) {
    await showFailure(`Could Not Move in ${target.name}`, report.error, failureOptions);
    return;
  }
  const failed = report.moves.list.find((m) => m.status === "failed" || m.status === "blocked");
  if (failed) {
    await showFailure(
      `${plural(report.moves.failed, "Move")} Failed in ${target.name}`,
      { code: "S3_FAILED", message: `${failed.from} → ${failed.to}: ${failed.reason ?? "unknown error"}` },
      failureOptions,
    );
    return;
  }
  if (report.moves.done === 0) {
    await showToast({ style: Toast.Style.Failure, title: "Nothing Moved", message: "The move is no longer pending." });
    return;
  }
  await showToast({
    style: Toast.Style.Success,
    title: report.moves.done === 1 ? `Moved ${moveTitle(moves[0]!)}` : `Applied ${plural(report.moves.done, "Move")}`,
    message: `${formatBytes(report.bytesSaved)} not uploaded`,
  });
}

/** Apply All's question, with the counts; true when the user agrees. */
export function confirmApplyAll(target: Target, moves: readonly PreviewMove[]): Promise<boolean> {
  const ready = moves.filter((m) => m.kind === "ready");
  const bytes = ready.reduce((sum, m) => sum + m.size, 0);
  const waiting = moves.filter((m) => m.kind === "archived").length;
  const unverified = moves.filter((m) => m.kind === "unverifiable").length;
  const left = [
    waiting ? `${plural(waiting, "archived move")} ${waiting === 1 ? "waits" : "wait"} for a restore` : "",
    unverified ? `aws uploads ${plural(unverified, "unverified file")} instead` : "",
  ].filter(Boolean);
  return confirmAlert({
    title: `Apply ${plural(ready.length, "Move")} in ${target.name}?`,
    message:
      `${counted(ready.length, "object")} (${formatBytes(bytes)}) move inside ${s3Uri(target.bucket, target.prefix)}; ` +
      `nothing is uploaded.${left.length ? ` ${left.join("; ")}.` : ""}`,
    primaryAction: { title: "Apply Moves", style: Alert.ActionStyle.Default },
  });
}

async function skipOrUndo(target: Target, move: PreviewMove, settings: Settings, undo: boolean): Promise<void> {
  await runCli(settings, ["skip-move", target.name, move.from, move.to, ...(undo ? ["--undo"] : [])]);
}

/** Skips the move (aws uploads the file instead); the toast offers Undo, after which `onUndone` refreshes. */
export async function skipPreviewMove(
  target: Target,
  move: PreviewMove,
  settings: Settings,
  onUndone: () => void,
): Promise<void> {
  try {
    await skipOrUndo(target, move, settings, false);
  } catch (error) {
    await showFailure("Could Not Skip Move", failureOf(error));
    throw error;
  }
  await showToast({
    style: Toast.Style.Success,
    title: "Move Skipped",
    message: `aws uploads ${move.to} at the next sync`,
    primaryAction: {
      title: "Undo",
      onAction: async (toast) => {
        try {
          await skipOrUndo(target, move, settings, true);
          toast.style = Toast.Style.Success;
          toast.title = "Skip Undone";
          toast.message = `${moveTitle(move)} is a move again`;
          toast.primaryAction = undefined;
        } catch (error) {
          await showFailure("Could Not Undo Skip", failureOf(error));
        }
        onUndone();
      },
    },
  });
}
