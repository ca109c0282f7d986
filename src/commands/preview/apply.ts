// Apply Move / Apply All Moves / Skip Move: the engine's `moves` limited to the chosen moves, and the DB's
// skipped_moves. Both take the volume's lock, so a sync running on the volume makes them fail safe.
import { showToast, Toast } from "@raycast/api";
import { formatBytes, plural, runTarget, skipMove, type Target } from "../../engine";
import { childEnv, logFilePath, oneAtATime, wasmBinary, withSettings } from "../lib/engine";
import type { Settings } from "../lib/preferences";
import { failureOf, showFailure } from "../lib/toast";
import { moveTitle, type PreviewMove } from "./fetch";

export async function applyMoves(target: Target, moves: PreviewMove[], settings: Settings): Promise<void> {
  const toast = await showToast({
    style: Toast.Style.Animated,
    title: moves.length === 1 ? `Moving ${moveTitle(moves[0]!)}` : `Applying ${plural(moves.length, "Move")}`,
  });
  const chosen = new Set(moves.map((m) => `${m.from}\0${m.to}`));
  const wasm = await wasmBinary();
  const report = await oneAtATime(() =>
    runTarget(withSettings(target, settings), {
      command: "moves",
      selectMoves: (m) => chosen.has(`${m.from}\0${m.to}`),
      wasmBinary: wasm,
      env: childEnv(settings),
      commandName: "preview",
    }),
  );
  await toast.hide();
  const options = {
    configFile: settings.configPath,
    logFile: logFilePath(report.localPath, report.logFile),
    retry: () => applyMoves(target, moves, settings),
  };
  if (report.error) {
    await showFailure(`Could Not Move in ${target.name}`, report.error, options);
    return;
  }
  const failed = report.moves.list.find((m) => m.status === "failed" || m.status === "blocked");
  if (failed) {
    await showFailure(
      `${plural(report.moves.failed, "Move")} Failed in ${target.name}`,
      { code: "S3_FAILED", message: `${failed.from} → ${failed.to}: ${failed.reason ?? "unknown error"}` },
      options,
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

export async function skipPreviewMove(target: Target, move: PreviewMove): Promise<void> {
  if (move.inode === undefined || move.mtime === undefined) return;
  try {
    const wasm = await wasmBinary();
    const { inode, mtime } = move;
    await oneAtATime(() =>
      skipMove(
        target.localPath,
        { from: move.from, to: move.to, inode, size: move.size, mtime },
        { wasmBinary: wasm, commandName: "preview" },
      ),
    );
    await showToast({
      style: Toast.Style.Success,
      title: "Move Skipped",
      message: `aws uploads ${move.to} at the next sync`,
    });
  } catch (error) {
    await showFailure("Could Not Skip Move", failureOf(error));
  }
}
