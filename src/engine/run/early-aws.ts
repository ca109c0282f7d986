// aws beside the moves. aws's walk, listing and uploads are most of a sync's wall time on a slow uplink,
// and none of them depends on the moves except at the paths the moves write or vacate. So aws starts as
// soon as the moves are verified, with those paths left alone (excluded on both sides); once the moves are
// made, a second, narrow aws run takes whatever of them still needs aws (a move that failed, a file that
// now sits at a vacated path, a key the invalidation deleted). Pure: the run decides what to start.
//
// aws tests every local file and every object against every rule (awscli filters.py, fnmatch), so the
// rules are kept few: a folder whose every file and object is a move's is left alone as `folder/*`, and a
// run whose rules would cost aws too much keeps the old order (moves, then one aws run).
import type { AwsSyncResult } from "../aws-cli";
import { keyFor, pathForKey } from "../keys";
import type { MoveOutcome } from "../mover";
import type { Plan, PlannedMove } from "../planner";
import type { S3ObjectInfo, ScannedFile } from "../types";

/** fnmatch tests aws may make for the rules added here: at ~0.3 µs each, about a second of its CPU. */
export const EARLY_AWS_MATCH_BUDGET = 4_000_000;
/** Rules on one command line (macOS allows 1 MiB of arguments and environment together). */
export const EARLY_AWS_MAX_RULES = 2_000;
export const EARLY_AWS_MAX_RULE_BYTES = 256 * 1024;

export interface LeaveAlone {
  /** Relative paths: `--exclude <path>`. */
  paths: string[];
  /** Relative folders: `--exclude <folder>/*` (everything below them, on both sides). */
  folders: string[];
}

export interface EarlyAws {
  /** What aws leaves alone while the moves run (besides what every run leaves alone). */
  leaveAlone: LeaveAlone;
  /** Every path the moves may write, vacate or invalidate: the candidates of the follow-up run. */
  held: ReadonlySet<string>;
}

/**
 * What aws must leave alone to run beside these moves and copies, or undefined when it cannot (nothing to
 * overlap, or too many rules for aws to test every file against).
 */
export function planEarlyAws(input: {
  plan: Pick<Plan, "moves" | "copies" | "archived">;
  scan: readonly ScannedFile[];
  /** The prefix's listing (taken to verify the moves); without it no folder is known to be whole. */
  objects?: ReadonlyMap<string, S3ObjectInfo>;
  prefix: string;
}): EarlyAws | undefined {
  const { plan, prefix } = input;
  const copies = plan.copies ?? [];
  if (plan.moves.length === 0 && copies.length === 0) return undefined;
  // Both ends of every move and the destination of every copy (its source stays and is aws's as usual).
  // The other unsure files' keys are not touched by the moves: they are invalidated before aws starts.
  const held = new Set<string>();
  for (const m of plan.moves) held.add(m.from).add(m.to);
  for (const c of copies) held.add(c.to);
  // Moves waiting for a restore are left alone by every aws run of this target already.
  for (const m of plan.archived) {
    held.delete(m.from);
    held.delete(m.to);
  }
  if (held.size === 0) return undefined;

  const universe = input.objects ? objectPaths(input.objects, prefix) : undefined;
  const leaveAlone = compress(held, input.scan, universe);
  const patterns = [...leaveAlone.paths, ...leaveAlone.folders];
  if (!awsCanTest(patterns, input.scan.length, input.objects?.size ?? input.scan.length)) return undefined;
  return { leaveAlone, held };
}

/**
 * The held paths aws still has to sync once the moves and the invalidation are done: a path holding a
 * file that no completed move or copy wrote, and a vacated path whose object may still be there (its move
 * failed, or its delete did). Moves that wait for a restore stay left alone.
 */
export function followUpPaths(
  early: EarlyAws,
  scan: readonly ScannedFile[],
  moved: {
    outcomes: readonly MoveOutcome[];
    copied?: readonly string[];
    pending: readonly Pick<PlannedMove, "from" | "to">[];
  },
): string[] {
  const local = new Set<string>();
  for (const f of scan) if (early.held.has(f.path)) local.add(f.path);
  const written = new Set(moved.copied ?? []);
  const cleared = new Set<string>();
  for (const o of moved.outcomes) {
    if (o.status !== "done") continue;
    written.add(o.move.to);
    if (!o.deleteFailed) cleared.add(o.move.from);
  }
  // A completed move may be another's source (chains, swaps): its key holds what was written there.
  for (const path of written) cleared.add(path);
  const pending = new Set(moved.pending.flatMap((m) => [m.from, m.to]));
  const paths: string[] = [];
  for (const path of early.held) {
    if (pending.has(path)) continue;
    if (local.has(path) ? !written.has(path) : !cleared.has(path)) paths.push(path);
  }
  return paths;
}

/** True when the follow-up may name its paths (`--exclude '*' --include <path>…`) rather than sync all. */
export function narrowFollowUp(paths: readonly string[], files: number, objects: number): boolean {
  return awsCanTest(["*", ...paths], files, objects);
}

/** Whether aws can be given these extra rules: few enough for its command line and for testing every file. */
function awsCanTest(patterns: readonly string[], files: number, objects: number): boolean {
  return (
    patterns.length <= EARLY_AWS_MAX_RULES &&
    (files + objects) * patterns.length <= EARLY_AWS_MATCH_BUDGET &&
    ruleBytes(patterns) <= EARLY_AWS_MAX_RULE_BYTES
  );
}

function objectPaths(objects: ReadonlyMap<string, S3ObjectInfo>, prefix: string): string[] {
  const paths: string[] = [];
  for (const key of objects.keys()) {
    const path = pathForKey(prefix, key);
    if (path !== null && keyFor(prefix, path) === key) paths.push(path);
  }
  return paths;
}

/**
 * The held paths as few rules: the topmost folders in which every scanned file and every listed object is
 * held become `folder/*`, the rest stay paths. Without a listing, objects under a folder are unknown, so
 * only paths are given.
 */
function compress(
  held: ReadonlySet<string>,
  scan: readonly ScannedFile[],
  objects: readonly string[] | undefined,
): LeaveAlone {
  if (!objects) return { paths: [...held], folders: [] };
  // Folders holding a held path, then those of them that also hold something not held.
  const candidates = new Set<string>();
  for (const path of held) for (const folder of parents(path)) candidates.add(folder);
  const tops = new Set<string>();
  for (const folder of candidates) if (!folder.includes("/")) tops.add(folder);
  const mixed = new Set<string>();
  const visit = (path: string) => {
    const slash = path.indexOf("/");
    if (slash < 0 || !tops.has(path.slice(0, slash)) || held.has(path)) return;
    for (const folder of parents(path)) {
      // The folders above a mixed one are mixed already.
      if (mixed.has(folder)) break;
      if (candidates.has(folder)) mixed.add(folder);
    }
  };
  for (const f of scan) visit(f.path);
  for (const path of objects) visit(path);
  const whole = (folder: string) => candidates.has(folder) && !mixed.has(folder);
  const folders = new Set<string>();
  const paths: string[] = [];
  for (const path of held) {
    // The topmost whole folder above the path, if any.
    let top: string | undefined;
    for (const folder of parents(path)) if (whole(folder)) top = folder;
    if (top === undefined) paths.push(path);
    else folders.add(top);
  }
  return { paths, folders: [...folders] };
}

/** The folders above a relative path, innermost first: `a/b/c` → `a/b`, `a`. */
function* parents(path: string): Generator<string> {
  for (let i = path.lastIndexOf("/"); i > 0; i = path.lastIndexOf("/", i - 1)) yield path.slice(0, i);
}

function ruleBytes(patterns: readonly string[]): number {
  let bytes = 0;
  for (const p of patterns) bytes += Buffer.byteLength(p) + 16;
  return bytes;
}

const SEVERITY = { ok: 0, "skipped-files": 1, failed: 2 } as const;

/** The early run and its follow-up as one aws step: the worse outcome, everything either did. */
export function combineAwsRuns(first: AwsSyncResult, second: AwsSyncResult): AwsSyncResult {
  const worse = SEVERITY[second.outcome] > SEVERITY[first.outcome] ? second : first;
  return {
    exitCode: worse.exitCode,
    outcome: worse.outcome,
    uploads: [...first.uploads, ...second.uploads],
    deletes: [...first.deletes, ...second.deletes],
    warnings: [...first.warnings, ...second.warnings],
    errors: [...first.errors, ...second.errors],
    skippedPaths: [...first.skippedPaths, ...second.skippedPaths],
    durationMs: first.durationMs + second.durationMs,
    command: first.command,
  };
}
