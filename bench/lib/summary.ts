// The markdown table bench/run.ts writes next to latest.json: one row per figure, with its peer or limit.
import type { BenchLine } from "./report";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const x = (r: number | null | undefined) => (r === null || r === undefined ? "n/a" : `${r}×`);

function rows(line: Any): string[][] {
  const r = line.ratios as Any;
  switch (line.bench) {
    case "rename": {
      const tools = Object.entries(line.resync as Any);
      return [
        [
          `Rename scenario: ${line.library.files} files, ${mib(line.library.bytes)}; ${line.changes.folderRenamedFiles} renamed with their folder, ${line.changes.renamedAcross} across folders (${line.changes.renamedFilesOver8MiB} renamed files > 8 MiB), ${line.changes.added} new, ${line.changes.edited} edited, ${line.changes.deleted} deleted`,
          "",
          "",
        ],
        ...tools.map(([name, t]: [string, Any]) => [
          `↳ ${name}`,
          `${mib(t.uploadedBytes)} uploaded, ${t.requests} requests, ${s(t.wallMs)}, bucket ${t.bucketMatchesVolume ? "matches" : "DOES NOT match"}`,
          "",
        ]),
        ["Uploaded bytes, ours / aws", "", x(r.uploadedBytes_ours_per_aws)],
        ["Uploaded bytes, ours / rclone", "", x(r.uploadedBytes_ours_per_rclone)],
        [
          "Uploaded bytes, ours / what had to be uploaded (new + edited)",
          mib(line.changes.bytesThatMustBeUploaded),
          x(r.uploadedBytes_ours_per_mustUpload),
        ],
        ["Wall time, ours / aws", "", x(r.wallTime_ours_per_aws)],
        ["Wall time, ours / rclone", "", x(r.wallTime_ours_per_rclone)],
      ];
    }
    case "scan":
      return [
        [
          `Scan of ${line.files} files (warm cache, median of ${line.runs})`,
          `scanVolume ${s(line.scanVolume.wallMs)} (${line.scanVolume.cpuMs} ms CPU), find ${s(line.find.wallMs)} (${line.find.cpuMs} ms CPU)`,
          `${x(r.wallTime_ours_per_find)} wall, ${x(r.cpuTime_ours_per_find)} CPU`,
        ],
      ];
    case "no-change":
      return (line.sizes as Any[]).map((z) => [
        `No-change moves pass, ${z.files} files`,
        `${s(z.passMs)} (scan ${s(z.phasesMs.scan ?? 0)}, plan ${s(z.phasesMs.plan ?? 0)}, record ${s(z.phasesMs.record ?? 0)}), peak RSS ${z.maxRssMiB} MiB, ${z.cpuMs} ms CPU`,
        z.files === line.targets.atFiles
          ? `${x(r.passTime_largest_per_30s)} of 30 s, ${x(r.maxRss_largest_per_1GiB)} of 1 GiB`
          : "",
      ]);
    case "moves":
      return [
        [
          `Moves, ${line.renames} renames at concurrency ${line.concurrency}`,
          `ours ${line.smartSync.movesPerSecond}/s; server limit ${line.serverCapacity.pairsPerSecond} copy+delete pairs/s (${line.serverCapacity.withCopySourceIfMatch}/s with CopySourceIfMatch); rclone ${line.rclone.movesPerSecond}/s (whole run)`,
          `${x(r.moves_ours_per_capacity)} of the limit, ${x(r.moves_ours_per_rclone)} rclone`,
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
