import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  buildAwsSyncArgs,
  classifyAwsFailure,
  destinationPrefix,
  parseAwsLine,
  parseAwsVersion,
  parseHumanSize,
  redactCommand,
  splitAwsOutput,
  type AwsEvent,
  type ParseContext,
} from "../../src/engine/aws-cli";

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/aws-output");
const read = (name: string) => readFileSync(path.join(fixtures, name), "utf8");

function parseFixture(name: string, context: ParseContext): AwsEvent[] {
  return splitAwsOutput(read(name))
    .map((line) => parseAwsLine(line, context))
    .filter((e): e is AwsEvent => e !== null);
}

const versions = ["v1", "v2"] as const;
const fx = (v: string): ParseContext => ({
  cwd: "/tmp/awscap",
  sourceRoot: "/tmp/awscap/fx",
  destination: `s3://capbucket/fx${v}/`,
});

describe.each(versions)("captured aws %s output", (v) => {
  it("first sync: one upload event per file with exact keys, absolute local paths and relative paths", () => {
    const events = parseFixture(`${v}-upload.stdout`, fx(v));
    const uploads = events.filter((e) => e.type === "aws-upload");
    expect(uploads.map((u) => u.path).sort()).toEqual(
      ["a b#c%20.txt", "big.bin", "sub dir/ünï cödé/Café ☕.mp3", "trailing "].sort(),
    );
    const cafe = uploads.find((u) => u.path?.startsWith("sub dir/"));
    expect(cafe).toEqual({
      type: "aws-upload",
      localPath: "/tmp/awscap/fx/sub dir/ünï cödé/Café ☕.mp3",
      key: `fx${v}/sub dir/ünï cödé/Café ☕.mp3`,
      path: "sub dir/ünï cödé/Café ☕.mp3",
      dryRun: false,
    });
    // The padding after the key is aws's, the space in the name is the file's.
    expect(uploads.find((u) => u.path?.startsWith("trailing"))?.key).toBe(`fx${v}/trailing `);
    expect(events.filter((e) => e.type === "aws-output")).toEqual([]);
    expect(read(`${v}-upload.stderr`)).toBe("");
  });

  it("first sync: progress events count up to the 12 MiB total", () => {
    const progress = parseFixture(`${v}-upload.stdout`, fx(v)).filter((e) => e.type === "aws-progress");
    expect(progress.length).toBeGreaterThan(10);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ totalBytes: 12 * 1024 * 1024 + 0, totalFinal: true, filesRemaining: 1 });
    expect(last.type === "aws-progress" && last.doneBytes).toBe(12 * 1024 * 1024);
    for (const p of progress)
      if (p.type === "aws-progress") expect(p.rate).toMatch(/^\d+(\.\d)? (Bytes?|KiB|MiB|GiB)\/s$/);
  });

  it("dry run with --delete and a FIFO: (dryrun) events and a skip warning with the relative path", () => {
    const context = fx(v);
    const events = [
      ...parseFixture(`${v}-dryrun-delete-fifo.stdout`, context),
      ...parseFixture(`${v}-dryrun-delete-fifo.stderr`, context),
    ];
    expect(events).toContainEqual({
      type: "aws-delete",
      key: `fx${v}/a b#c%20.txt`,
      path: "a b#c%20.txt",
      dryRun: true,
    });
    expect(events).toContainEqual({
      type: "aws-upload",
      localPath: "/tmp/awscap/fx/new to s3: file.txt",
      key: `fx${v}/new to s3: file.txt`,
      path: "new to s3: file.txt",
      dryRun: true,
    });
    expect(events).toContainEqual({
      type: "aws-warning",
      message:
        "warning: Skipping file /tmp/awscap/fx/pipe. File is character special device, block special device, FIFO, or socket.",
      path: "/tmp/awscap/fx/pipe",
      relativePath: "pipe",
    });
    expect(events).toContainEqual({
      type: "aws-progress",
      doneBytes: 0,
      totalBytes: 0,
      filesDone: 0,
      filesRemaining: 0,
      totalFinal: false,
    });
  });

  it("failed upload: an aws-error that is not fatal, and the successful upload beside it", () => {
    const context = { cwd: "/tmp/awscap/src2", sourceRoot: "/tmp/awscap/src2", destination: `s3://capbucket/f${v}/` };
    const out = parseFixture(`${v}-upload-failed.stdout`, context);
    const err = parseFixture(`${v}-upload-failed.stderr`, context);
    expect(out.filter((e) => e.type === "aws-upload").map((e) => e.type === "aws-upload" && e.path)).toEqual([
      "ok.txt",
    ]);
    const errors = [...out, ...err].filter((e) => e.type === "aws-error");
    expect(errors).toEqual([
      {
        type: "aws-error",
        operation: "upload",
        localPath: "/tmp/awscap/src2/deny-me.txt",
        fatal: false,
        message: `upload failed: ./deny-me.txt to s3://capbucket/f${v}/deny-me.txt An error occurred (AccessDenied) when calling the PutObject operation: Access Denied`,
      },
    ]);
  });

  it.each([
    ["nobucket", "BUCKET_MISSING", 1],
    ["noendpoint", "NETWORK", 1],
    ["nocreds", "CREDENTIALS", 1],
    ["noprofile", "CREDENTIALS", 255],
    ["badarg", "AWS_CLI_FAILED", v === "v1" ? 255 : 252],
  ] as const)("stderr of %s classifies as %s", (name, code, exitCode) => {
    const lines = splitAwsOutput(read(`${v}-${name}.stderr`));
    const error = classifyAwsFailure(exitCode, lines);
    expect(error.code).toBe(code);
    expect(error.exitCode).toBe(exitCode);
    expect(error.hint).toBeTruthy();
    expect(error.retryable).toBe(code === "NETWORK");
    expect(error.stderr).toContain(lines.find((l) => l.trim() !== ""));
  });

  it("fatal error lines parse as fatal aws-error events", () => {
    const [event] = parseFixture(`${v}-nobucket.stderr`, {});
    expect(event).toEqual({
      type: "aws-error",
      fatal: true,
      message:
        "An error occurred (NoSuchBucket) when calling the ListObjectsV2 operation: The specified bucket does not exist: nosuchbucket",
    });
  });
});

describe("parseAwsLine", () => {
  it("returns null for the blank line aws uses to clear its progress", () => {
    expect(parseAwsLine("                                  ")).toBeNull();
    expect(parseAwsLine("")).toBeNull();
  });

  it("reads estimated totals while aws is still listing", () => {
    expect(parseAwsLine("Completed 0 Bytes/~6 Bytes (0 Bytes/s) with ~2 file(s) remaining (calculating...)")).toEqual({
      type: "aws-progress",
      doneBytes: 0,
      totalBytes: 6,
      filesRemaining: 2,
      rate: "0 Bytes/s",
      totalFinal: false,
    });
    expect(parseAwsLine("Completed 12.5 MiB/40.0 MiB (3.1 MiB/s) with 5 file(s) remaining   ")).toEqual({
      type: "aws-progress",
      doneBytes: 13107200,
      totalBytes: 41943040,
      filesRemaining: 5,
      rate: "3.1 MiB/s",
      totalFinal: true,
    });
  });

  it("without context keeps paths as printed and leaves the relative path out", () => {
    expect(parseAwsLine("upload: ./a#b%c.txt to s3://bucket/a#b%c.txt")).toEqual({
      type: "aws-upload",
      localPath: "./a#b%c.txt",
      key: "a#b%c.txt",
      path: undefined,
      dryRun: false,
    });
  });

  it("maps keys under a prefix given without trailing slash, and ignores other buckets", () => {
    const context = { destination: "s3://b/music" };
    expect(parseAwsLine("delete: s3://b/music/x y.mp3", context)).toEqual({
      type: "aws-delete",
      key: "music/x y.mp3",
      path: "x y.mp3",
      dryRun: false,
    });
    expect(parseAwsLine("delete: s3://other/music/x.mp3", context)).toMatchObject({ path: undefined });
    expect(parseAwsLine("delete: s3://b/musicals/x.mp3", context)).toMatchObject({ path: undefined });
  });

  it("parses copies, other warnings and unknown lines", () => {
    expect(parseAwsLine("copy: s3://b/a.txt to s3://b/c d.txt")).toEqual({
      type: "aws-copy",
      from: "s3://b/a.txt",
      key: "c d.txt",
      dryRun: false,
    });
    expect(parseAwsLine("warning: Skipping file /v/x. File/Directory is not readable.", { sourceRoot: "/v" })).toEqual({
      type: "aws-warning",
      message: "warning: Skipping file /v/x. File/Directory is not readable.",
      path: "/v/x",
      relativePath: "x",
    });
    // A warned path outside the root is kept, but is no skipped file of ours.
    expect(parseAwsLine("warning: Skipping file /w/x. File does not exist.", { sourceRoot: "/v" })).toMatchObject({
      path: "/w/x",
      relativePath: undefined,
    });
    expect(parseAwsLine("warning: Skipping file /v/a. b. File does not exist.", { sourceRoot: "/v" })).toMatchObject({
      relativePath: "a. b",
    });
    expect(parseAwsLine("Some deprecation notice")).toEqual({ type: "aws-output", line: "Some deprecation notice" });
  });
});

describe("helpers", () => {
  it("parseHumanSize reads aws's base-2 sizes", () => {
    expect(parseHumanSize("1 Byte")).toBe(1);
    expect(parseHumanSize("10 Bytes")).toBe(10);
    expect(parseHumanSize("1.0 KiB")).toBe(1024);
    expect(parseHumanSize("2.5 GiB")).toBe(2.5 * 1024 ** 3);
    expect(parseHumanSize("12 parsecs")).toBeUndefined();
  });

  it("parseAwsVersion reads both majors", () => {
    expect(parseAwsVersion("aws-cli/1.45.11 Python/3.11.7 Linux/6.18 botocore/1.43.11")).toEqual({
      version: "1.45.11",
      major: 1,
    });
    expect(parseAwsVersion("aws-cli/2.9.19 Python/3.11.2 Linux/6.18 source/x86_64.debian.12 prompt/off\n")).toEqual({
      version: "2.9.19",
      major: 2,
    });
    expect(parseAwsVersion("pyenv: aws: command not found")).toBeUndefined();
  });

  it("destinationPrefix treats s3://b/p and s3://b/p/ alike", () => {
    expect(destinationPrefix("s3://b/p")).toEqual({ bucket: "b", prefix: "p/" });
    expect(destinationPrefix("s3://b/p/")).toEqual({ bucket: "b", prefix: "p/" });
    expect(destinationPrefix("s3://b")).toEqual({ bucket: "b", prefix: "" });
    expect(destinationPrefix("s3://b/")).toEqual({ bucket: "b", prefix: "" });
  });
});

describe("buildAwsSyncArgs", () => {
  it("builds the argv with --delete by default, the rules in order, and every option as --name=value", () => {
    expect(
      buildAwsSyncArgs({
        source: "/Volumes/Vault/.",
        destination: "s3://bucket-vault/crates/",
        filters: [
          { type: "exclude", pattern: ".*" },
          { type: "exclude", pattern: "*/.*" },
          { type: "exclude", pattern: "-odd#name %20" },
          { type: "include", pattern: "/Volumes/Vault/*" },
        ],
        endpointUrl: "http://127.0.0.1:4566",
        profile: "music",
        region: "eu-west-1",
        storageClass: "STANDARD_IA",
      }),
    ).toEqual([
      "s3",
      "sync",
      "/Volumes/Vault/.",
      "s3://bucket-vault/crates/",
      "--delete",
      "--exclude=.*",
      "--exclude=*/.*",
      "--exclude=-odd#name %20",
      "--include=/Volumes/Vault/*",
      "--storage-class=STANDARD_IA",
      "--endpoint-url=http://127.0.0.1:4566",
      "--profile=music",
      "--region=eu-west-1",
    ]);
  });

  it("leaves out --delete when asked and adds --dryrun", () => {
    expect(buildAwsSyncArgs({ source: "/m", destination: "s3://b", filters: [], delete: false, dryRun: true })).toEqual(
      ["s3", "sync", "/m", "s3://b", "--dryrun"],
    );
  });

  it("keeps a relative root starting with '-' from reading as an option", () => {
    expect(buildAwsSyncArgs({ source: "-x", destination: "s3://b", filters: [] })[2]).toBe("./-x");
  });

  it("redactCommand masks credentials in URLs only", () => {
    expect(redactCommand(["aws", "--endpoint-url=https://user:pw@s3.example.com", "s3://b/p"])).toEqual([
      "aws",
      "--endpoint-url=https://***@s3.example.com",
      "s3://b/p",
    ]);
  });
});
