// `npm run demo`: the main job on an embedded default, no AWS account needed. Starts the local S3 server,
// makes a small music library, syncs it, renames a folder and some files, syncs again, and shows what
// moved server-side, the bytes uploaded, and what plain `aws s3 sync --delete` uploads for the same change
// (measured on a twin bucket, not estimated).
import { execa } from "execa";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { locateAwsCli } from "../src/engine/aws-cli";
import { formatBytes } from "../src/engine/format";
import { runTarget } from "../src/engine/run";
import type { Target } from "../src/engine/types";
import { awsEnv, startLocalS3 } from "../test/support/local-s3/server-api";
import { bytesFor } from "../test/support/volume";

const MiB = 1024 * 1024;
const LIBRARY: [string, number][] = [
  ["Sigur Rós/Ágætis byrjun/01 Intro.flac", 9 * MiB],
  ["Sigur Rós/Ágætis byrjun/02 Svefn-g-englar.flac", 12 * MiB],
  ["Beyoncé/Lemonade/01 Pray You Catch Me.m4a", 3 * MiB],
  ["Beyoncé/Lemonade/02 Hold Up.m4a", 3 * MiB],
  ["坂本龍一/async/01 andata.flac", 10 * MiB],
  ["Crates/House/Deep & Soulful #3.mp3", 700_000],
  ["Crates/House/100% Vinyl.mp3", 650_000],
  ["Crates/Techno/Berghain (live).mp3", 1 * MiB],
  ["notes.txt", 2_000],
];

function say(text = ""): void {
  process.stdout.write(text + "\n");
}

function write(root: string, rel: string, size: number): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, bytesFor(rel, size));
}

function move(root: string, from: string, to: string): void {
  mkdirSync(path.dirname(path.join(root, to)), { recursive: true });
  renameSync(path.join(root, from), path.join(root, to));
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

async function main(): Promise<void> {
  const aws = await locateAwsCli();
  say(`Starting the local S3 server (fauxqs on 127.0.0.1), aws CLI ${aws.version} at ${aws.path}…`);
  const local = await startLocalS3({ buckets: ["demo-smart", "demo-plain"] });
  const env = awsEnv(local);
  // The engine's SDK client uses the default credential chain: the same dummy keys as the aws CLI.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
    AWS_REGION: "us-east-1",
  });
  const work = mkdtempSync(path.join(tmpdir(), "s3-smart-sync-demo-"));
  const smart = path.join(work, "Library");
  const plain = path.join(work, "Library (plain aws)");
  try {
    for (const [rel, size] of LIBRARY) {
      write(smart, rel, size);
      write(plain, rel, size);
    }
    const total = LIBRARY.reduce((sum, [, size]) => sum + size, 0);
    say(`Made a library of ${LIBRARY.length} files (${formatBytes(total)}) in ${smart}`);

    const target: Target = {
      name: "Library",
      localPath: smart,
      bucket: "demo-smart",
      prefix: "music",
      excludes: [".*", "*/.*"],
      endpointUrl: local.endpoint,
    };
    const plainSync = (dryRun = false) =>
      execa(
        aws.path,
        [
          "s3",
          "sync",
          plain,
          "s3://demo-plain/music/",
          "--delete",
          "--exclude",
          ".*",
          "--exclude",
          "*/.*",
          "--endpoint-url",
          local.endpoint,
          "--only-show-errors",
          ...(dryRun ? ["--dryrun"] : []),
        ],
        { env, extendEnv: false },
      );

    say("\n1. First sync: everything is new, aws uploads it all.");
    await local.resetStats();
    const first = await runTarget(target, { command: "sync", aws, env });
    if (first.status !== "ok") throw new Error(`first sync: ${first.error?.message ?? first.status}`);
    say(`   uploaded ${formatBytes((await local.stats()).uploadedBytes)} (${first.aws?.uploads} files)`);
    await plainSync();

    say("\n2. Reorganising: a folder renamed, files renamed and moved across folders.");
    const changes: [string, string][] = [
      ["Sigur Rós/Ágætis byrjun", "Sigur Rós/Ágætis byrjun (1999)"],
      ["坂本龍一/async/01 andata.flac", "坂本龍一/async/01 Andata (remaster).flac"],
      ["Crates/House/Deep & Soulful #3.mp3", "Crates/Deep House/Deep & Soulful #3.mp3"],
      ["Crates/Techno/Berghain (live).mp3", "Crates/Live Sets/Berghain (live).mp3"],
    ];
    for (const [from, to] of changes) {
      move(smart, from, to);
      move(plain, from, to);
      say(`   ${from}  →  ${to}`);
    }

    say("\n3. Second sync with S3 Smart Sync:");
    await local.resetStats();
    const second = await runTarget(target, { command: "sync", aws, env });
    if (second.status !== "ok") throw new Error(`second sync: ${second.error?.message ?? second.status}`);
    const smartStats = await local.stats();
    for (const m of second.moves.list.filter((m) => m.status === "done"))
      say(`   moved server-side: ${m.fromKey} → ${m.toKey} (${formatBytes(m.size)})`);
    say(`   aws s3 sync (started beside the moves): ${second.aws?.uploads} uploads, ${second.aws?.deletes} deletes`);

    await local.resetStats();
    await plainSync();
    const plainStats = await local.stats();

    say("\nResult for the same reorganisation:");
    say(
      `   S3 Smart Sync:           ${formatBytes(smartStats.uploadedBytes).padStart(8)} uploaded, ${second.moves.done} server-side moves (${formatBytes(second.bytesSaved)} not re-sent)`,
    );
    say(
      `   plain aws s3 sync:       ${formatBytes(plainStats.uploadedBytes).padStart(8)} uploaded, ${(plainStats.ops.DeleteObject?.count ?? 0) + (plainStats.ops.DeleteObjects?.count ?? 0)} delete requests`,
    );
    if (smartStats.uploadedBytes !== 0) throw new Error("expected 0 bytes uploaded for renamed files");
    say("\nEach run also wrote a log on the volume (logs/s3-sync-*.log). Try it on your own folders: see the README.");
  } finally {
    await local.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
