// The aws runner against the real aws CLIs (1.x first on PATH here, 2.x at /usr/bin/aws) and the local
// S3 server. A missing CLI fails these tests: both majors must keep working.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  locateAwsCli,
  runAwsSync,
  WELL_KNOWN_AWS_PATHS,
  type AwsCliInfo,
  type AwsEvent,
  type AwsSyncOptions,
} from "../../src/engine/aws-cli";
import { cachedVersion, VERSION_CACHE_MAX_AGE_MS } from "../../src/engine/aws-cli/version-cache";
import { AwsCliError, SmartSyncError } from "../../src/engine/errors";
import { awsEnv, s3ClientConfig, useLocalS3 } from "../support/local-s3";

const local = useLocalS3();
const BIG = 12 * 1024 * 1024;
const NAMES = ["a b#c%20.txt", "sub dir/ünï cödé/Café ☕.mp3", "big.bin"];

let root: string;
let s3: S3Client;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), "aws-cli-it-"));
  s3 = new S3Client(s3ClientConfig(local));
});
afterAll(() => {
  s3?.destroy();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function keys(bucket: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

/** A port nobody listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.each([
  { label: "aws-cli 1.x (first on PATH)", explicit: "aws", major: 1, bucket: "runner-v1" },
  { label: "aws-cli 2.x (/usr/bin/aws)", explicit: "/usr/bin/aws", major: 2, bucket: "runner-v2" },
])("runAwsSync with $label", ({ explicit, major, bucket }) => {
  let aws: AwsCliInfo;
  let source: string;

  beforeAll(async () => {
    aws = await locateAwsCli({ explicit });
    source = path.join(root, bucket);
    mkdirSync(path.join(source, "sub dir/ünï cödé"), { recursive: true });
    writeFileSync(path.join(source, NAMES[0]), "a\n");
    writeFileSync(path.join(source, NAMES[1]), "café\n");
    writeFileSync(path.join(source, NAMES[2]), randomBytes(BIG));
    writeFileSync(path.join(source, ".hidden"), "excluded\n");
    await local.createBucket(bucket);
  });

  const sync = (extra: Partial<AwsSyncOptions> = {}) => {
    const events: AwsEvent[] = [];
    const run = runAwsSync({
      aws,
      source,
      destination: `s3://${bucket}/lib/`,
      filters: [{ type: "exclude", pattern: ".*" }],
      endpointUrl: local.endpoint,
      env: awsEnv(local),
      onEvent: (e) => events.push(e),
      ...extra,
    });
    return { run, events };
  };

  it("locates the CLI with its major version", () => {
    expect(aws.major).toBe(major);
    expect(aws.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("first run uploads every file under its exact key and reports progress", async () => {
    const { run, events } = sync();
    const result = await run;
    expect(result).toMatchObject({ exitCode: 0, outcome: "ok", errors: [], skippedPaths: [] });
    expect(result.uploads.map((u) => u.path).sort()).toEqual([...NAMES].sort());
    expect(result.uploads.map((u) => u.key).sort()).toEqual(NAMES.map((n) => `lib/${n}`).sort());
    for (const upload of result.uploads) expect(upload.localPath).toBe(path.join(source, upload.path!));
    // ".hidden" is excluded: the pattern reached aws.
    expect(await keys(bucket)).toEqual(NAMES.map((n) => `lib/${n}`).sort());
    const progress = events.filter((e) => e.type === "aws-progress");
    expect(progress.length).toBeGreaterThan(0);
    expect(Math.max(...progress.map((p) => (p.type === "aws-progress" ? p.totalBytes : 0)))).toBeGreaterThanOrEqual(
      BIG,
    );
    expect(result.command).toEqual(
      expect.arrayContaining([aws.path, "s3", "sync", source, "--delete", "--exclude=.*"]),
    );
  });

  it("second run uploads nothing", async () => {
    const result = await sync().run;
    expect(result).toMatchObject({ exitCode: 0, outcome: "ok", uploads: [], deletes: [] });
  });

  it("dry run reports what it would do and changes nothing", async () => {
    unlinkSync(path.join(source, NAMES[0]));
    writeFileSync(path.join(source, "new #1.txt"), "new\n");
    const before = await keys(bucket);
    const { run, events } = sync({ dryRun: true });
    const result = await run;
    expect(result.outcome).toBe("ok");
    expect(result.uploads.map((u) => u.path)).toEqual(["new #1.txt"]);
    expect(result.deletes).toEqual([`lib/${NAMES[0]}`]);
    expect(
      events.filter((e) => e.type === "aws-upload" || e.type === "aws-delete").every((e) => "dryRun" in e && e.dryRun),
    ).toBe(true);
    expect(await keys(bucket)).toEqual(before);
  });

  it("without --delete keeps the object of a removed file", async () => {
    const result = await sync({ delete: false }).run;
    expect(result.uploads.map((u) => u.path)).toEqual(["new #1.txt"]);
    expect(result.deletes).toEqual([]);
    expect(await keys(bucket)).toContain(`lib/${NAMES[0]}`);
  });

  it("--delete deletes the object of a removed file", async () => {
    const result = await sync().run;
    expect(result).toMatchObject({ outcome: "ok", uploads: [], deletes: [`lib/${NAMES[0]}`] });
    expect(await keys(bucket)).not.toContain(`lib/${NAMES[0]}`);
  });

  it("a FIFO makes aws warn and exit 2: skipped-files with its relative path", async () => {
    const fifo = path.join(source, "sub dir", "a pipe");
    await execa("mkfifo", [fifo]);
    try {
      const result = await sync().run;
      expect(result.exitCode).toBe(2);
      expect(result.outcome).toBe("skipped-files");
      expect(result.skippedPaths).toEqual(["sub dir/a pipe"]);
      expect(result.warnings).toEqual([
        {
          path: fifo,
          message: `warning: Skipping file ${fifo}. File is character special device, block special device, FIFO, or socket.`,
        },
      ]);
    } finally {
      unlinkSync(fifo);
    }
  });

  it("a failed transfer gives outcome failed with the aws error, not a throw", async () => {
    writeFileSync(path.join(source, "fails.txt"), "x\n");
    await local.setFaults({ operations: ["PutObject"], internalErrorRate: 1 });
    try {
      const result = await sync({ env: awsEnv(local, { AWS_MAX_ATTEMPTS: "1" }) }).run;
      expect(result.exitCode).toBe(1);
      expect(result.outcome).toBe("failed");
      expect(result.errors).toHaveLength(1);
      expect(result.errors[0]).toMatch(
        /^upload failed: .*fails\.txt to s3:\/\/runner-v\d\/lib\/fails\.txt .*InternalError/,
      );
    } finally {
      await local.clearFaults();
      unlinkSync(path.join(source, "fails.txt"));
    }
  });

  it("a missing bucket throws BUCKET_MISSING", async () => {
    const error = await sync({ destination: "s3://no-such-bucket-here/x/" }).run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCliError);
    expect(error).toMatchObject({ code: "BUCKET_MISSING", exitCode: 1, retryable: false });
    expect((error as AwsCliError).message).toContain("NoSuchBucket");
  });

  it("an unreachable endpoint throws NETWORK, retryable", async () => {
    const endpointUrl = `http://127.0.0.1:${await closedPort()}`;
    const error = await sync({ endpointUrl, env: awsEnv(local, { AWS_MAX_ATTEMPTS: "1" }) }).run.catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AwsCliError);
    expect(error).toMatchObject({ code: "NETWORK", retryable: true });
    expect((error as AwsCliError).stderr).toContain("Could not connect to the endpoint URL");
  });

  it("no credentials throws CREDENTIALS", async () => {
    const env = awsEnv(local, { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    const error = await sync({ env }).run.catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "AwsCliError", code: "CREDENTIALS" });
  });

  it("aborting stops aws and throws ABORTED", async () => {
    await local.setFaults({ hang: true });
    try {
      const controller = new AbortController();
      const started = Date.now();
      const { run } = sync({ signal: controller.signal });
      setTimeout(() => controller.abort(), 1_000);
      const error = await run.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SmartSyncError);
      expect(error).toMatchObject({ code: "ABORTED" });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await local.clearFaults();
    }
  });

  it("a timeout stops aws and throws a retryable AWS_CLI_FAILED", async () => {
    await local.setFaults({ hang: true });
    try {
      const error = await sync({ timeoutMs: 1_500 }).run.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AwsCliError);
      expect(error).toMatchObject({ code: "AWS_CLI_FAILED", retryable: true });
      expect((error as Error).message).toMatch(/did not finish within 2 s/);
    } finally {
      await local.clearFaults();
    }
  });

  it("a listener that throws stops the run and its error surfaces", async () => {
    writeFileSync(path.join(source, "listener.txt"), "l\n");
    const boom = new Error("listener broke");
    const error = await runAwsSync({
      aws,
      source,
      destination: `s3://${bucket}/other/`,
      filters: [{ type: "exclude", pattern: ".*" }],
      endpointUrl: local.endpoint,
      env: awsEnv(local),
      onEvent: () => {
        throw boom;
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(boom);
    unlinkSync(path.join(source, "listener.txt"));
  });
});

describe("locateAwsCli", () => {
  it("an explicit path that does not exist throws AWS_CLI_MISSING", async () => {
    const error = await locateAwsCli({ explicit: "/nonexistent/bin/aws" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCliError);
    expect(error).toMatchObject({ code: "AWS_CLI_MISSING" });
    expect((error as AwsCliError).message).toContain("/nonexistent/bin/aws");
  });

  it("an explicit file that is not the aws CLI throws AWS_CLI_MISSING", async () => {
    const error = await locateAwsCli({ explicit: "/bin/false" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "AwsCliError", code: "AWS_CLI_MISSING" });
  });

  it("with Raycast's PATH it still finds aws in a well-known place", async () => {
    const info = await locateAwsCli({ env: { ...process.env, PATH: "/usr/bin:/bin:/usr/sbin:/sbin" } });
    expect(WELL_KNOWN_AWS_PATHS).toContain(info.path);
  });

  it("with no PATH at all it looks in the well-known places", async () => {
    const info = await locateAwsCli({ env: { HOME: process.env.HOME } });
    expect(WELL_KNOWN_AWS_PATHS).toContain(info.path);
  });

  it("prefers the aws first on PATH", async () => {
    const info = await locateAwsCli();
    const { stdout } = await execa("sh", ["-c", "command -v aws"]);
    expect(info.path).toBe(stdout.trim());
  });

  it("asks a binary its version once, and again when the binary changed or a day passed", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "s3ss-aws-version-"));
    try {
      const bin = path.join(dir, "aws");
      const calls = path.join(dir, "calls");
      const fake = (version: string) =>
        writeFileSync(bin, `#!/bin/sh\necho x >> "${calls}"\necho "aws-cli/${version} Python/3.11.2 Linux"\n`, {
          mode: 0o755,
        });
      const asked = () => readFileSync(calls, "utf8").split("\n").filter(Boolean).length;
      const env = { PATH: "/usr/bin:/bin", S3_SMART_SYNC_STATE_DIR: path.join(dir, "state") };
      fake("2.9.19");
      expect(await locateAwsCli({ explicit: bin, env })).toEqual({ path: bin, version: "2.9.19", major: 2 });
      expect(await locateAwsCli({ explicit: bin, env })).toEqual({ path: bin, version: "2.9.19", major: 2 });
      expect(asked()).toBe(1);
      fake("2.15.0"); // upgraded in place
      expect(await locateAwsCli({ explicit: bin, env })).toMatchObject({ version: "2.15.0" });
      expect(asked()).toBe(2);
      expect(await cachedVersion(bin, env)).toMatchObject({ version: "2.15.0" });
      expect(await cachedVersion(bin, env, Date.now() + VERSION_CACHE_MAX_AGE_MS + 1000)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("asks again a binary that was replaced while it answered (an upgrade during the probe)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "s3ss-aws-upgrade-"));
    try {
      const bin = path.join(dir, "aws");
      const calls = path.join(dir, "calls");
      const upgraded = path.join(dir, "upgraded");
      const answer = (version: string) => `echo x >> "${calls}"\necho "aws-cli/${version} Python/3.11.2 Linux"\n`;
      writeFileSync(upgraded, `#!/bin/sh\n# upgraded\n${answer("2.15.0")}`, { mode: 0o755 });
      // The old binary is replaced by the new one (a new file renamed over it) before it answers.
      writeFileSync(bin, `#!/bin/sh\ncp "${upgraded}" "$0.tmp" && mv "$0.tmp" "$0"\n${answer("2.9.19")}`, {
        mode: 0o755,
      });
      const env = { PATH: "/usr/bin:/bin", S3_SMART_SYNC_STATE_DIR: path.join(dir, "state") };
      expect(await locateAwsCli({ explicit: bin, env })).toMatchObject({ version: "2.9.19" });
      expect(await cachedVersion(bin, env)).toBeUndefined();
      expect(await locateAwsCli({ explicit: bin, env })).toMatchObject({ version: "2.15.0" });
      expect(await locateAwsCli({ explicit: bin, env })).toMatchObject({ version: "2.15.0" });
      expect(readFileSync(calls, "utf8").split("\n").filter(Boolean)).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("asks a pyenv shim again when its version selection changes, and falls through when the selected Python has no aws", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "s3ss-aws-shim-"));
    try {
      // A pyenv layout whose shim picks the version as pyenv does: PYENV_VERSION, else .python-version from
      // PYENV_DIR up, else the global `version` file; a version without aws says so and exits 127.
      const pyenv = path.join(dir, ".pyenv");
      const calls = path.join(dir, "calls");
      const fakeAws = (file: string, version: string) => {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, `#!/bin/sh\necho "aws-cli/${version} Python/3.11.2 Linux"\n`, { mode: 0o755 });
      };
      fakeAws(path.join(pyenv, "versions", "3.11.2", "bin", "aws"), "1.45.0");
      mkdirSync(path.join(pyenv, "versions", "3.12.1", "bin"), { recursive: true });
      writeFileSync(path.join(pyenv, "version"), "3.11.2\n");
      const shim = path.join(pyenv, "shims", "aws");
      mkdirSync(path.dirname(shim));
      writeFileSync(
        shim,
        [
          "#!/bin/sh",
          `echo x >> "${calls}"`,
          'v="$PYENV_VERSION"; d="${PYENV_DIR:-$PWD}"',
          'while [ -z "$v" ]; do',
          '  if [ -f "$d/.python-version" ]; then v=$(cat "$d/.python-version"); fi',
          '  [ "$d" = / ] && break; d=$(dirname "$d")',
          "done",
          `[ -n "$v" ] || v=$(cat "${pyenv}/version")`,
          `bin="${pyenv}/versions/$v/bin/aws"`,
          '[ -x "$bin" ] || { echo "pyenv: aws: command not found" >&2; exit 127; }',
          'exec "$bin" "$@"',
          "",
        ].join("\n"),
        { mode: 0o755 },
      );
      const other = path.join(dir, "bin", "aws");
      fakeAws(other, "2.15.0");
      const project = path.join(dir, "project");
      mkdirSync(project);
      const asked = () => readFileSync(calls, "utf8").split("\n").filter(Boolean).length;
      const env = {
        PATH: `${path.dirname(shim)}:${path.dirname(other)}:/usr/bin:/bin`,
        HOME: dir,
        PYENV_DIR: project,
        S3_SMART_SYNC_STATE_DIR: path.join(dir, "state"),
      };

      expect(await locateAwsCli({ env })).toEqual({ path: shim, version: "1.45.0", major: 1 });
      expect(await locateAwsCli({ env })).toEqual({ path: shim, version: "1.45.0", major: 1 });
      expect(asked()).toBe(1);
      // The project now selects a Python without aws: the shim no longer works, whatever the cache said.
      writeFileSync(path.join(project, ".python-version"), "3.12.1\n");
      expect(await locateAwsCli({ env })).toEqual({ path: other, version: "2.15.0", major: 2 });
      expect(asked()).toBe(2);
      // A variable overrides the file: the shim works again, asked once more, then remembered.
      const chosen = { ...env, PYENV_VERSION: "3.11.2" };
      expect(await locateAwsCli({ env: chosen })).toEqual({ path: shim, version: "1.45.0", major: 1 });
      expect(await locateAwsCli({ env: chosen })).toEqual({ path: shim, version: "1.45.0", major: 1 });
      expect(asked()).toBe(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runAwsSync with a vanished binary throws AWS_CLI_MISSING", async () => {
    const error = await runAwsSync({
      aws: { path: "/nonexistent/aws", version: "2.0.0", major: 2 },
      source: root,
      destination: "s3://b/",
      filters: [],
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "AwsCliError", code: "AWS_CLI_MISSING" });
  });
});
