// One target, end to end (DESIGN.md "The run"): lock → DB → finish an interrupted move batch → scan →
// plan → verify against S3 → move → aws s3 sync → record. Every stage is its own module; this one only
// sequences them, reports events, and decides what the DB may believe after each kind of failure.
import { constants as fsConstants, promises as fs } from "node:fs";
import path from "node:path";
import { recordPendingRestores, refreshArchiveFacts } from "./archive";
import { locateAwsCli, runAwsSync, type AwsCliInfo, type AwsSyncResult } from "./aws-cli";
import { openStateDb, type StateDb } from "./db";
import { SmartSyncError } from "./errors";
import type { EngineEvent, EventSink, Phase } from "./events";
import { awsSourceArg, createExcludeMatcher, escapeFnmatch, TOOL_EXCLUDES } from "./filters";
import { normalizePrefix, s3Uri } from "./keys";
import { acquireVolumeLock, lockHolder } from "./lock";
import { RunLog } from "./logger";
import { applyMovesToDb, resumeMoveBatch, runMoveBatch } from "./move-batch";
import type { MoveOutcome } from "./mover";
import { selectMoveGroups, moveGroups } from "./move-order";
import { planRun, type PlannedMove } from "./planner";
import { recordState } from "./recorder";
import { addAwsToReport, addPlanToReport, emptyReport, failReport, moveSummary, type TargetReport } from "./report";
import { BucketGateway, getS3Client } from "./s3";
import { scanVolume } from "./scanner";
import type { S3ObjectInfo, Target } from "./types";

export interface RunOptions {
  /** sync: moves then `aws s3 sync --delete`; moves: moves only. */
  command: "sync" | "moves";
  dryRun?: boolean;
  /** sql.js wasm bytes (Raycast passes them from its assets); read from node_modules when omitted. */
  wasmBinary?: Uint8Array;
  /** The aws CLI to use, located already or being located (batch looks each one up once). */
  aws?: AwsCliInfo | Promise<AwsCliInfo | undefined>;
  /** Environment for the aws CLI; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  onEvent?: EventSink;
  /** Write `<volume>/logs/s3-sync-*.log` (default true, never in a dry run). */
  log?: boolean;
  /** Only the planned moves this accepts are made (Preview Moves applies one move or one target's). */
  selectMoves?: (move: { from: string; to: string }) => boolean;
  /** Name of the front-end command, for the lock and the log file name (default: command). */
  commandName?: string;
  now?: () => Date;
}

export async function runTarget(target: Target, options: RunOptions): Promise<TargetReport> {
  const now = options.now ?? (() => new Date());
  const startedAt = now();
  const dryRun = options.dryRun ?? false;
  const prefix = normalizePrefix(target.prefix);
  const report = emptyReport(
    {
      target: target.name,
      localPath: target.localPath,
      bucket: target.bucket,
      prefix,
      command: options.command,
      dryRun,
    },
    startedAt,
  );
  let log: RunLog | undefined;
  const emit = (event: EngineEvent) => {
    options.onEvent?.(event);
    log?.onEvent(event);
  };
  const phase = (p: Phase) => emit({ type: "phase", target: target.name, phase: p });
  const notice = (message: string, level: "info" | "warning" = "info") => {
    report.notices.push(message);
    emit({ type: "notice", target: target.name, level, message });
  };

  let release: (() => Promise<unknown>) | undefined;
  let db: StateDb | undefined;
  try {
    await assertVolume(target.localPath, { write: !dryRun });
    if (options.log !== false && !dryRun) {
      log = RunLog.open(target.localPath, options.commandName ?? options.command, startedAt);
      report.logFile = log.file;
    }
    emit({
      type: "target-start",
      target: target.name,
      localPath: target.localPath,
      destination: s3Uri(target.bucket, prefix),
      dryRun,
    });

    phase("lock");
    if (dryRun) {
      // A dry run reads beside a running sync: it takes no lock and writes nothing to the volume.
      const holder = await lockHolder(target.localPath);
      if (holder)
        notice(
          `A sync is running on this volume (${holder.command}, pid ${holder.pid}, since ${holder.startedAt}): ` +
            `this shows the volume as it is now; the running sync may already be making some of these changes.`,
        );
    } else {
      const lock = await acquireVolumeLock(target.localPath, { command: options.commandName ?? options.command });
      release = () => lock.release();
    }

    phase("database");
    const opened = await openStateDb({
      volumeRoot: target.localPath,
      wasmBinary: options.wasmBinary,
      now,
      readOnly: dryRun,
    });
    db = opened.db;
    for (const message of opened.notices) notice(message, "warning");
    const recordedTarget = db.getTarget();
    const sameTarget = recordedTarget?.bucket === target.bucket && normalizePrefix(recordedTarget.prefix) === prefix;
    if (recordedTarget && !sameTarget) {
      notice(
        `The volume's state describes s3://${recordedTarget.bucket}/${recordedTarget.prefix}, not this target: ` +
          `it is not used for moves, and this run starts as a first run.`,
        "warning",
      );
    }
    const baseline = db.isNew || !sameTarget;

    // Finding aws runs `aws --version` (a Python start): it goes on while the volume is scanned.
    const awsLookup =
      options.command === "sync"
        ? (async () => (await options.aws) ?? locateAwsCli({ explicit: target.awsCli, env: options.env }))()
        : undefined;
    awsLookup?.catch(() => undefined);
    const gateway = new BucketGateway(
      getS3Client({
        profile: target.profile,
        region: target.region,
        endpointUrl: target.endpointUrl,
        forcePathStyle: target.forcePathStyle,
      }),
      target.bucket,
      { multipartCopyThreshold: target.multipartCopyThreshold, endpoint: target.endpointUrl, profile: target.profile },
    );
    await gateway.checkAccess(prefix ? `${prefix}/` : "");

    phase("resume");
    if (!baseline) await resumeMoveBatch(target, db, gateway, { dryRun, notice, signal: options.signal });

    phase("scan");
    const userExcludes = [...target.excludes];
    const isExcluded = createExcludeMatcher(target.localPath, [...TOOL_EXCLUDES, ...userExcludes]);
    const scan = await scanVolume({
      root: target.localPath,
      excludes: userExcludes,
      signal: options.signal,
      onProgress: (files) => emit({ type: "scan-progress", target: target.name, files }),
    });
    // A volume unplugged mid-scan leaves a partial scan that would read as files deleted: stop here.
    if (!(await isDirectory(target.localPath))) {
      throw new SmartSyncError("VOLUME_MISSING", `${target.localPath} went away during the scan.`, {
        hint: "Connect the volume again and rerun; nothing was changed in S3 or in the state DB.",
      });
    }
    for (const skipped of scan.skipped)
      notice(`Skipped ${skipped.path}: ${skipped.reason}${skipped.detail ? ` (${skipped.detail})` : ""}`, "warning");

    phase("plan");
    const records = baseline ? [] : db.allFiles();
    const skippedMoves = db.skippedMoves().map((s) => ({ from: s.fromPath, to: s.toPath }));
    const planInput = {
      scan: scan.files,
      records,
      prefix,
      isExcluded,
      skippedMoves,
      archivedMoves: target.archivedMoves,
    };
    let plan = planRun(planInput);
    let objects: Map<string, S3ObjectInfo> | undefined;
    if (plan.moves.length > 0) {
      phase("list");
      objects = await listPrefix(
        gateway,
        prefix,
        (count) => emit({ type: "list-progress", target: target.name, objects: count }),
        options.signal,
      );
      plan = planRun({ ...planInput, objects });
      if (await refreshArchiveFacts(gateway, plan, objects, options.signal)) plan = planRun({ ...planInput, objects });
    }
    // A chosen move brings its chain, swap or cycle along: half a swap would leave a key with other bytes.
    if (options.selectMoves) plan = { ...plan, moves: selectMoveGroups(plan.moves, options.selectMoves) };
    addPlanToReport(report, plan);
    emit({
      type: "plan",
      target: target.name,
      moves: plan.moves.length,
      archived: plan.archived.length,
      rejected: plan.rejected.length,
      newFiles: plan.newFiles.length,
      modified: plan.modified.length,
      deleted: plan.deleted.length,
      bytesSaved: plan.bytesSaved,
    });
    if (plan.archived.length > 0) {
      notice(
        `${plan.archived.length} move(s) wait for archived objects to be restored; their files are left out of this sync. ` +
          `Run \`s3-smart-sync restore ${target.localPath} ${target.bucket}${prefix ? ` -p ${prefix}` : ""}\` to start the restores.`,
        "warning",
      );
    }

    // Paths aws must not touch this run: both sides of moves waiting for a restore, loops the scan cut.
    const pending: PlannedMove[] = [...plan.archived];
    const awsExcludesFor = (extra: readonly { from: string; to: string }[]) => [
      ...userExcludes,
      ...TOOL_EXCLUDES,
      ...extra.flatMap((m) => [escapeFnmatch(m.from), escapeFnmatch(m.to)]),
      ...scan.skipped.filter((s) => s.reason === "symlink-loop").map((s) => `${escapeFnmatch(s.path)}/*`),
      // aws-cli 1.x tries to upload names that are not UTF-8 and fails the whole sync (exit 1): leave them
      // out. The decoded name has U+FFFD where bytes were invalid; `*` stands for them (Python sees surrogates).
      ...scan.skipped
        .filter((s) => s.reason === "invalid-utf8-name")
        .flatMap((s) => {
          const pattern = escapeFnmatch(s.path).replace(/\uFFFD+/g, "*");
          return [pattern, `${pattern}/*`];
        }),
    ];

    const aws = await awsLookup;
    if (dryRun) {
      const groups = moveGroups(plan.moves);
      for (const [i, move] of plan.moves.entries()) {
        report.moves.list.push({ ...moveSummary(move, "planned"), group: groups[i] });
        emit({
          type: "move",
          target: target.name,
          outcome: { move, status: "done" },
          done: 0,
          failed: 0,
          total: plan.moves.length,
          dryRun: true,
        });
      }
      report.bytesSaved = plan.bytesSaved;
      if (aws) {
        phase("aws");
        // aws would see the moves as upload + delete: leave them out, they happen server-side.
        const result = await runAws(
          aws,
          target,
          prefix,
          awsExcludesFor([...pending, ...plan.moves]),
          true,
          options,
          emit,
        );
        addAwsToReport(report, result);
      }
      return finish(report, startedAt, now);
    }

    db.setTarget(target.bucket, prefix);

    let outcomes: MoveOutcome[] = [];
    if (plan.moves.length > 0) {
      phase("move");
      const batch = await runMoveBatch(target, gateway, plan.moves, {
        signal: options.signal,
        onProgress: (p) => {
          if (p.last) emit({ type: "move", target: target.name, outcome: p.last, ...p, dryRun: false });
        },
      });
      outcomes = batch.outcomes;
      applyMovesToDb(db, outcomes);
      await db.save();
      if (batch.complete) await batch.journal.remove();
      for (const o of outcomes)
        report.moves.list.push(moveSummary(o.move, o.archived ? "pending-restore" : o.status, o.error));
      report.moves.done = outcomes.filter((o) => o.status === "done").length;
      report.moves.failed = outcomes.filter((o) => o.status !== "done" && !o.archived).length;
      report.bytesSaved = outcomes.filter((o) => o.status === "done").reduce((sum, o) => sum + o.move.size, 0);
      // An Intelligent-Tiering object can turn out archived only when copied: it waits like the others.
      for (const o of outcomes) if (o.archived) pending.push({ ...o.move, state: "archived" });
      recordPendingRestores(db, pending);
      if (batch.error !== undefined) throw batch.error;
    } else {
      recordPendingRestores(db, pending);
    }
    const pendingMoves = pending.map((m) => ({ from: m.from, to: m.to }));
    report.moves.pendingRestore = pending.length;

    let result: AwsSyncResult | undefined;
    if (aws) {
      phase("aws");
      try {
        result = await runAws(aws, target, prefix, awsExcludesFor(pendingMoves), false, options, emit);
      } catch (error) {
        // What aws did before failing is unknown: the DB keeps the old state plus the executed moves.
        await db.save();
        throw error;
      }
      addAwsToReport(report, result);
    }

    phase("record");
    const synced =
      result?.outcome === "ok" ? "synced" : result?.outcome === "skipped-files" ? "synced-with-skips" : "not-synced";
    const after =
      synced !== "not-synced" && result && result.uploads.length > 0
        ? await uploadedObjects(gateway, prefix, result, options.signal)
        : objects;
    // Without a completed aws run (moves only, or aws failed) the rows are the old ones plus the moves,
    // already applied: nothing to rewrite, which keeps a no-change pass over a big volume cheap.
    if (synced !== "not-synced" || baseline) {
      db.replaceFiles(
        recordState({
          previous: db.allFiles(),
          scan: scan.files,
          outcome: synced,
          skippedPaths: result?.skippedPaths,
          pendingMoves,
          baseline,
          objects: after,
          prefix,
          now: now().getTime() / 1000,
        }),
      );
    }
    if (
      report.moves.failed > 0 ||
      result?.outcome === "failed" ||
      result?.outcome === "skipped-files" ||
      scan.skipped.some((s) => s.reason === "invalid-utf8-name") ||
      pending.length > 0
    )
      report.status = "partial";
    recordRunMeta(db, report, startedAt);
    await db.save();
    return finish(report, startedAt, now);
  } catch (error) {
    failReport(report, error);
    // A first run that failed leaves no DB behind; an existing one records the failure.
    if (db && !dryRun && !db.isNew) await saveFailure(db, report, startedAt);
    return finish(report, startedAt, now);
  } finally {
    db?.close();
    await release?.();
    emit({ type: "target-end", target: target.name, report });
    await log?.close();
  }
}

function finish(report: TargetReport, startedAt: Date, now: () => Date): TargetReport {
  report.durationMs = now().getTime() - startedAt.getTime();
  return report;
}

async function isDirectory(root: string): Promise<boolean> {
  try {
    return (await fs.stat(root)).isDirectory();
  } catch {
    return false;
  }
}

async function assertVolume(root: string, options: { write: boolean }): Promise<void> {
  if (!(await isDirectory(root))) {
    throw new SmartSyncError("VOLUME_MISSING", `${root} is not mounted or does not exist.`, {
      hint: "Connect the volume (or fix the path in the config) and run again.",
    });
  }
  // Before the log folder and the lock are created in it, which would fail with a bare EACCES.
  try {
    await fs.access(root, fsConstants.R_OK | fsConstants.X_OK);
  } catch (cause) {
    throw new SmartSyncError("VOLUME_UNREADABLE", `${root} cannot be read`, {
      hint: "Give this process read access to the folder (on macOS: Full Disk Access for the terminal or Raycast).",
      cause,
    });
  }
  if (!options.write) return;
  try {
    await fs.access(root, fsConstants.W_OK);
  } catch (cause) {
    throw new SmartSyncError("VOLUME_UNREADABLE", `${root} is read-only: the state DB, lock and logs live on it.`, {
      hint: "Mount the volume read-write (or give this process write access to the folder) and run again.",
      cause,
    });
  }
}

async function listPrefix(
  gateway: BucketGateway,
  prefix: string,
  onPage?: (count: number) => void,
  signal?: AbortSignal,
): Promise<Map<string, S3ObjectInfo>> {
  const objects = await gateway.listAll(prefix ? `${prefix}/` : "", { onPage, signal });
  return new Map(objects.map((o) => [o.key, o]));
}

/** Few uploads: HEAD each (a listing of a big prefix costs a request per 1,000 keys); many: one listing. */
const HEAD_UPLOADS_UP_TO = 200;

async function uploadedObjects(
  gateway: BucketGateway,
  prefix: string,
  result: AwsSyncResult,
  signal?: AbortSignal,
): Promise<Map<string, S3ObjectInfo>> {
  if (result.uploads.length > HEAD_UPLOADS_UP_TO) return listPrefix(gateway, prefix, undefined, signal);
  const objects = new Map<string, S3ObjectInfo>();
  const keys = [...new Set(result.uploads.map((u) => u.key))];
  const worker = async () => {
    for (let key = keys.pop(); key !== undefined; key = keys.pop()) {
      const head = await gateway.head(key, { signal });
      if (head) objects.set(key, head);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return objects;
}

function runAws(
  aws: AwsCliInfo,
  target: Target,
  prefix: string,
  excludes: string[],
  dryRun: boolean,
  options: RunOptions,
  emit: (event: EngineEvent) => void,
): Promise<AwsSyncResult> {
  return runAwsSync({
    aws,
    source: awsSourceArg(target.localPath),
    destination: s3Uri(target.bucket, prefix),
    excludes,
    delete: true,
    dryRun,
    endpointUrl: target.endpointUrl,
    profile: target.profile,
    region: target.region,
    storageClass: target.storageClass,
    env: options.env,
    signal: options.signal,
    onEvent: (event) => emit({ type: "aws", target: target.name, event }),
  });
}

function recordRunMeta(db: StateDb, report: TargetReport, startedAt: Date): void {
  const total = Number(db.getMeta("bytes_saved_total") ?? "0") + report.bytesSaved;
  db.setMeta("bytes_saved_total", String(total));
  db.setMeta(
    "last_run",
    JSON.stringify({
      at: startedAt.toISOString(),
      command: report.command,
      status: report.status,
      moves: report.moves.done,
      bytesSaved: report.bytesSaved,
      uploads: report.aws?.uploads ?? 0,
      deletes: report.aws?.deletes ?? 0,
      logFile: report.logFile ? path.basename(report.logFile) : undefined,
    }),
  );
}

/** The DB holds the old state plus executed moves; a failed save must not hide the run's own error. */
async function saveFailure(db: StateDb, report: TargetReport, startedAt: Date): Promise<void> {
  try {
    recordRunMeta(db, report, startedAt);
    await db.save();
  } catch {
    // The volume may be gone; the report already says what failed.
  }
}
