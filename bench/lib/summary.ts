// The markdown table bench/run.ts writes next to latest.json: one row per figure, with its peer or limit.
import type { BenchLine } from "./report";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const x = (r: number | null | undefined) => (r === null || r === undefined ? "n/a" : `${r}×`);

/**
 * The first run after aws with renames made before it (no state DB): what each tool uploads and reads, and
 * what it uploads for the renamed files over 8 MiB (aws's multipart objects). Ours hashes (the report's own
 * count); aws and rclone are shown by what their processes read beyond what they uploaded (rclone's MD5s).
 */
function firstAfterAwsRows(f: Any, pr: Any): string[][] {
  if (!f) return [];
  // A run of `rename --tools …` may leave out a peer.
  const peer = (t: Any) =>
    t ? `${mib(t.uploadedBytes)} / ${mib(t.readBeyondUploadedBytes)} read beyond uploads` : "not run";
  const multipart = (t: Any) => (t ? mib(t.renamedMultipart_uploadedBytes) : "not run");
  return [
    [
      `↳ first run after aws, renames made before: uploaded / hashed, ours vs aws vs rclone`,
      `ours ${mib(f.ours.uploadedBytes)} / ${mib(f.ours.hashedBytes)} hashed (${f.ours.hashedFiles} files, ${f.ours.provenByContent} proven, ${mib(f.ours.bytesProvenByContent)}); aws ${peer(f.aws)}; rclone --track-renames ${peer(f.rcloneAfterAws)}`,
      `uploaded ${x(pr.firstAfterAws_uploadedBytes_ours_per_aws)} aws, ${x(pr.firstAfterAws_uploadedBytes_ours_per_rclone)} rclone; read ${x(pr.firstAfterAws_readBytes_ours_per_aws)} aws, ${x(pr.firstAfterAws_readBytes_ours_per_rclone)} rclone`,
    ],
    [
      `↳ renamed files over 8 MiB (${f.renamedMultipart.files}, ${mib(f.renamedMultipart.bytes)}), first run after aws: bytes uploaded, ours vs rclone --track-renames`,
      `ours ${mib(f.ours.renamedMultipart_uploadedBytes)}, rclone ${multipart(f.rcloneAfterAws)}, aws ${multipart(f.aws)}`,
      `${x(pr.firstAfterAws_renamedMultipart_uploadedBytes_ours_per_rclone)} rclone, ${x(pr.firstAfterAws_renamedMultipart_uploadedBytes_ours_per_aws)} aws`,
    ],
  ];
}

function rows(line: Any): string[][] {
  const r = line.ratios as Any;
  // A benchmark that failed has no figures: its row says so (its error is on stderr).
  if (line.failed) return [[String(line.bench), "FAILED", ""]];
  switch (line.bench) {
    case "rename": {
      const head = [
        `Rename scenario: ${line.library.files} files, ${mib(line.library.bytes)}; ${line.changes.folderRenamedFiles} renamed with their folder, ${line.changes.renamedAcross} across folders (${line.changes.renamedFilesOver8MiB} renamed files > 8 MiB), ${line.changes.added} new, ${line.changes.edited} edited, ${line.changes.deleted} deleted; ${mib(line.changes.bytesThatMustBeUploaded)} new and edited`,
        "",
        "",
      ];
      return [
        head,
        ...Object.entries(line.profiles as Any).flatMap(([profile, p]: [string, Any]) => {
          const pr = p.ratios as Any;
          const net = p.network.rttMs ? `${p.network.rttMs} ms RTT, ${p.network.upMbps} Mbit/s up` : "loopback";
          return [
            [`**Network ${profile}** (${net})`, "", ""],
            ...Object.entries(p.resync as Any).map(([name, t]: [string, Any]) => [
              `↳ ${name}`,
              `${s(t.wallMs)}, ${mib(t.uploadedBytes)} uploaded, ${mib(t.readMiB * 1048576)} read, ${t.requests} requests, bucket ${t.bucketMatchesVolume ? "matches" : "DOES NOT match"}`,
              "",
            ]),
            [
              `↳ wall time, ours`,
              "",
              `${x(pr.wallTime_ours_per_aws)} aws, ${x(pr.wallTime_ours_per_rclone)} rclone, ${x(pr.wallTime_ours_per_rcloneAfterAws)} rclone on aws's bucket`,
            ],
            [
              `↳ bytes uploaded, ours`,
              "",
              `${x(pr.uploadedBytes_ours_per_aws)} aws, ${x(pr.uploadedBytes_ours_per_rclone)} rclone, ${x(pr.uploadedBytes_ours_per_mustUpload)} new+edited`,
            ],
            [
              `↳ first run after aws (renames made before), ours`,
              "",
              `bytes ${x(pr.firstAfterAws_uploadedBytes_ours_per_aws)} aws, ${x(pr.firstAfterAws_uploadedBytes_ours_per_rclone)} rclone; wall ${x(pr.firstAfterAws_wallTime_ours_per_aws)} aws, ${x(pr.firstAfterAws_wallTime_ours_per_rclone)} rclone`,
            ],
            ...firstAfterAwsRows(p.firstAfterAws, pr),
          ];
        }),
      ];
    }
    case "rename-large": {
      return [
        [
          `Rename scenario on the largest library here (${line.size.rule}: limited by ${line.size.limitedBy}): ${line.library.files} files, ${mib(line.library.bytes)}, network ${line.network}; server peak RSS ${mib(line.server.peakRssBytes)}`,
          "",
          `${x(r.serverPeakRss_per_library)} the library`,
        ],
        ...Object.entries(line.resync as Any).map(([name, t]: [string, Any]) => [
          `↳ ${name}`,
          `${s(t.wallMs)}, ${mib(t.uploadedBytes)} uploaded, ${t.requests} requests, bucket ${t.bucketMatchesVolume ? "matches" : "DOES NOT match"}`,
          "",
        ]),
        [
          `↳ ours: wall time, bytes uploaded`,
          "",
          `wall ${x(r.wallTime_ours_per_aws)} aws, ${x(r.wallTime_ours_per_rclone)} rclone; bytes ${x(r.uploadedBytes_ours_per_aws)} aws, ${x(r.uploadedBytes_ours_per_rclone)} rclone`,
        ],
      ];
    }
    case "scan":
      return (line.sizes as Any[]).map((z) => [
        `Scan of ${z.files} files (warm cache, median of ${line.runs})`,
        `scanVolume ${s(z.scanVolume.wallMs)} (${z.scanVolume.cpuMs} ms CPU; first scan of the process ${s(z.scanVolume.firstInProcessWallMs)}), find ${s(z.find.wallMs)} (${z.find.cpuMs} ms CPU)`,
        `${x(z.wallTime_ours_per_find)} wall, ${x(z.cpuTime_ours_per_find)} CPU (target ${line.target})`,
      ]);
    case "no-change":
      return [
        ...(line.sizes as Any[]).flatMap((z) =>
          (["movesPass", "syncPass"] as const).map((pass) => {
            const f = z[pass];
            const ph = f.phasesMs;
            const atTarget = z.files === line.targets.atFiles;
            const key = pass === "syncPass" ? "sync" : "moves";
            return [
              `No-change ${pass === "syncPass" ? "`sync` pass (aws a no-op)" : "`moves` pass"}, ${z.files} files`,
              `${s(f.passMs)} (DB load ${s(ph.database ?? 0)}, scan ${s(ph.scan ?? 0)}, plan ${s(ph.plan ?? 0)}${ph.aws !== undefined ? `, aws ${s(ph.aws)}` : ""}, record ${s(ph.record ?? 0)}), peak RSS ${f.maxRssMiB} MiB`,
              atTarget
                ? `${x(r[`${key}PassTime_largest_per_30s`])} of 30 s, ${x(r[`${key === "sync" ? "sync" : "moves"}MaxRss_largest_per_1GiB`])} of 1 GiB`
                : "",
            ];
          }),
        ),
        [
          `End-to-end \`sync\` with aws, ${line.endToEnd.files} files, nothing changed`,
          `ours ${s(line.endToEnd.ours.wallMs)} (${line.endToEnd.ours.maxRssMiB} MiB), plain \`aws s3 sync\` ${s(line.endToEnd.aws.wallMs)}`,
          `${x(line.endToEnd.ratio)} aws`,
        ],
      ];
    case "moves":
      return Object.entries(line.profiles as Any).map(([profile, p]: [string, Any]) => [
        `Moves, ${line.renames} renames at concurrency ${line.concurrency}, network ${profile}`,
        `ours ${p.smartSync.movesPerSecond}/s; server ${p.serverCapacity.pairsPerSecond} copy+delete pairs/s (${p.serverCapacity.withCopySourceIfMatch}/s with CopySourceIfMatch); rclone ${p.rclone.movesPerSecond}/s (whole run)`,
        `${x(p.ratios.moves_ours_per_capacity)} of the server, ${x(p.ratios.moves_ours_per_rclone)} rclone`,
      ]);
    case "folder-rename":
      return [
        [
          `Folder rename of ${line.files} files (moves pass, concurrency ${line.concurrency})`,
          `${line.smartSync.movesPerSecond} moves/s (move phase ${s(line.smartSync.movePhaseMs)}), peak RSS ${line.smartSync.maxRssMiB} MiB${phaseMemory(line.smartSync.memoryAtPhaseEndMiB)}; server ${line.serverCapacity.pairsPerSecond} copy+delete pairs/s, ${line.serverCapacity.copyAndBatchedDeletePerSecond}/s copy + batched delete; real S3 at 3,500 writes/s: ${s(line.projectionRealS3.secondsAt3500WritesPerSecond * 1000)}`,
          `${x(r.moves_ours_per_pairCapacity)} of pairs, ${x(r.moves_ours_per_copyAndBatchedDeleteCapacity)} of copy + batched delete; ${x(r.maxRss_per_1GiB)} of 1 GiB`,
        ],
      ];
    case "journal":
      return [
        [
          `Move journal of ${line.moves} moves (journaled, recorded, read back)`,
          `${s(line.wallMs)}, journal ${line.journalMiB} MiB; peak heap ${line.peakHeapMiB} MiB against ${line.movesHeapMiB} MiB for the moves alone; peak RSS ${line.maxRssMiB} MiB`,
          `${x(r.peakHeap_per_movesHeap)} of the moves' heap; ${x(r.maxRss_per_1GiB)} of 1 GiB`,
        ],
      ];
    default:
      return [[String(line.bench), line.failed ? "FAILED" : "", ""]];
  }
}

export function summarize(
  lines: BenchLine[],
  meta: { at: string; command: string; totalMs: number; node: string },
): string {
  const table = lines.flatMap((l) => rows(l as Any)).map((cells) => `| ${cells.join(" | ")} |`);
  return [
    `# Benchmark results`,
    ``,
    `\`${meta.command}\` — ${meta.at}, Node ${meta.node}, ${Math.round(meta.totalMs / 1000)} s in all.`,
    ``,
    `| Benchmark | Figures | Ratio |`,
    `| --- | --- | --- |`,
    ...table,
    ``,
  ].join("\n");
}

/** ` (RSS as the scan, plan, listing and moves ended: a / b / c / d MiB)`, when the line has it. */
function phaseMemory(memory: Record<string, { rss: number }> | undefined): string {
  const phases = ["scan", "plan", "list", "move", "output"].filter((p) => memory?.[p]);
  if (!memory || phases.length === 0) return "";
  const names: Record<string, string> = {
    scan: "scan",
    plan: "plan",
    list: "listing",
    move: "moves",
    output: "printed report",
  };
  return ` (RSS as the ${phases.map((p) => names[p]).join(", ")} ended: ${phases.map((p) => memory[p].rss).join(" / ")} MiB)`;
}
