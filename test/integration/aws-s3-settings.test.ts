// aws's s3 settings per target, with both aws CLIs. Upload settings (`aws_max_concurrent_requests`,
// `aws_multipart_chunksize`): what reaches the server (how many uploads it had in progress at once, the parts
// of a multipart upload) and what aws reads from the private config copy, which must keep the user's own
// settings (here the path-style addressing the local server needs, and the user's own concurrency, which the
// target's wins over). Addressing (`path_style`): aws addresses the bucket as the SDK does.
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { execa } from "execa";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AWS_CLIS, awsCliArgs, runCli } from "../support/cli";
import { useS3Fixture } from "../support/fixture";
import { applyS3Settings, awsAddressingStyle } from "../../src/engine/aws-cli/s3-settings";
import { awsEnv, type RequestLogEntry } from "../support/local-s3";
import { bucketContents, sha, type Volume } from "../support/volume";

const { local, s3, volume, freshBucket } = useS3Fixture("transfer");
const MIB = 1024 * 1024;
const SMALL_FILES = 30;

/** Most aws uploads (PutObject, UploadPart) the server held at once, from the request log. */
function peakUploads(log: RequestLogEntry[]): number {
  const edges: [number, number][] = [];
  for (const r of log) {
    if (r.op !== "PutObject" && r.op !== "UploadPart") continue;
    edges.push([r.at, 1], [r.at + r.ms, -1]);
  }
  // An answer sent in the same millisecond as another request arrives: the answer first.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, step] of edges) peak = Math.max(peak, (now += step));
  return peak;
}

function library(v: Volume): void {
  for (let i = 0; i < SMALL_FILES; i++) v.file(`small/${String(i).padStart(2, "0")}.txt`, 2048);
  v.file("big.bin", 12 * MIB);
}

afterEach(async () => {
  await local.setNetwork({});
});

describe.each(AWS_CLIS)("aws's s3 settings per target, with $name", ({ path: awsPath }) => {
  it("addresses the bucket as the SDK does: path_style=false with an endpoint makes aws go virtual-hosted", async () => {
    // botocore forces path style whenever an endpoint URL is given, unless its config says `virtual`. The
    // host does not resolve: aws's debug log names the URL it chose, then fails at once.
    const endpointUrl = "http://s3.smart-sync.invalid:9000";
    const style = awsAddressingStyle({ endpointUrl, forcePathStyle: false });
    const urls: string[] = [];
    for (const settings of [{}, { addressing_style: style }]) {
      const applied = applyS3Settings(awsEnv(local), undefined, settings);
      try {
        const run = await execa(awsPath, ["s3", "ls", "s3://some-bucket", "--endpoint-url", endpointUrl, "--debug"], {
          env: { ...applied.env, AWS_MAX_ATTEMPTS: "1" },
          extendEnv: false,
          reject: false,
          timeout: 60_000,
        });
        urls.push(/Endpoint provider result: (\S+)/.exec(run.stderr)?.[1] ?? run.stderr.slice(-500));
      } finally {
        applied.dispose();
      }
    }
    expect(urls).toEqual([
      "http://s3.smart-sync.invalid:9000/some-bucket",
      "http://some-bucket.s3.smart-sync.invalid:9000",
    ]);
  });

  it("uploads at most aws_max_concurrent_requests at once, in parts of aws_multipart_chunksize; unset, aws's own", async () => {
    // The user's own config: the path-style addressing the local server needs (without it every request
    // fails), and a concurrency of its own that a target's setting must win over.
    const userConfig = path.join(mkdtempSync(path.join(os.tmpdir(), "s3ss-transfer-home-")), "config");
    const userConfigText = "[default]\ns3 =\n    addressing_style = path\n    max_concurrent_requests = 20\n";
    writeFileSync(userConfig, userConfigText);
    // The CLI's own temporary folder: the private copies of the config must be gone from it after each run.
    const cliTmp = mkdtempSync(path.join(os.tmpdir(), "s3ss-transfer-tmp-"));
    const privateCopies = () => readdirSync(cliTmp).filter((name) => name.startsWith("s3ss-aws-config-"));

    const sync = async (options: string, env: NodeJS.ProcessEnv = {}) => {
      const bucket = await freshBucket();
      const v = volume();
      library(v);
      const config = path.join(v.root, "..", `${path.basename(v.root)}.conf`);
      writeFileSync(config, `${v.root} | ${bucket} | | | ${options}\n`);
      await local.resetStats();
      // Every request held 100 ms: uploads overlap as far as aws lets them.
      await local.setNetwork({ rttMs: 100 });
      const run = await runCli(["batch", "-c", config, "--json", "--no-progress", ...awsCliArgs(local, awsPath)], {
        local,
        env: { TMPDIR: cliTmp, ...env },
      });
      await local.setNetwork({});
      expect(run.exitCode, run.stdout + run.stderr).toBe(0);
      expect(run.reports[0].aws?.uploads).toBe(SMALL_FILES + 1);
      const contents = await bucketContents(s3.client, bucket);
      expect(Object.keys(contents)).toHaveLength(SMALL_FILES + 1);
      expect(contents["big.bin"]).toBe(sha(v.read("big.bin")));
      const big = await s3.client.send(new HeadObjectCommand({ Bucket: bucket, Key: "big.bin" }));
      return { peak: peakUploads(await local.requests()), etag: big.ETag! };
    };

    const limited = await sync("aws_max_concurrent_requests=2, aws_multipart_chunksize=5MiB", {
      AWS_CONFIG_FILE: userConfig,
    });
    expect(limited.peak).toBeLessThanOrEqual(2);
    expect(limited.etag).toMatch(/-3"$/); // 12 MiB in 5 MiB parts
    expect(readFileSync(userConfig, "utf8")).toBe(userConfigText);

    const wide = await sync("aws_max_concurrent_requests=24");
    expect(wide.peak).toBeGreaterThan(10); // beyond aws's own 10
    expect(wide.etag).toMatch(/-2"$/); // aws's 8 MiB parts: no chunk size set

    expect(privateCopies()).toEqual([]);
    for (const dir of [path.dirname(userConfig), cliTmp]) rmSync(dir, { recursive: true, force: true });
  });
});
