import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  applyDefaults,
  formatByteSize,
  formatTargetLine,
  inheritedOption,
  initConfig,
  localFolder,
  loadConfig,
  parseByteSize,
  parseConfig,
  prefixSchema,
  removeTargetFromText,
  sampleConfig,
  setDefaultsInText,
  targetInputSchema,
  upsertTargetInText,
  type ParsedConfig,
  type TargetInput,
} from "../../src/engine/config";
import { ConfigError, SmartSyncError } from "../../src/engine/errors";

const HOME = "/Users/dj";
const FILE = "/Users/dj/.s3-smart-sync.conf";

const SEED = `# local_path | bucket | prefix | excludes (comma-separated)
~/music/.          | bucket-music   |        | *.m4p, .*, */.*
/Volumes/Vault/.   | bucket-vault   | crates | .*, */.*
`;

function parse(text: string | Uint8Array): ParsedConfig {
  return parseConfig(text, FILE, { home: HOME });
}

/** Problems as the CLI prints them. */
function messages(text: string | Uint8Array): string[] {
  return parse(text).problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
}

function only(line: string) {
  const config = parse(line);
  expect(config.problems).toEqual([]);
  expect(config.targets).toHaveLength(1);
  return config.targets[0]!;
}

describe("parseConfig: the seed's format", () => {
  it("parses the seed's lines verbatim", () => {
    const config = parse(SEED);
    expect(config.problems).toEqual([]);
    expect(config.defaults).toEqual({});
    expect(config.targets).toStrictEqual([
      {
        name: "music",
        localPath: "/Users/dj/music",
        bucket: "bucket-music",
        prefix: "",
        excludes: ["*.m4p", ".*", "*/.*"],
        source: { file: FILE, line: 2 },
      },
      {
        name: "Vault",
        localPath: "/Volumes/Vault",
        bucket: "bucket-vault",
        prefix: "crates",
        excludes: [".*", "*/.*"],
        source: { file: FILE, line: 3 },
      },
    ]);
  });

  it("parses bytes the same as text, with a BOM and CRLF line ends", () => {
    const bytes = new TextEncoder().encode(`\uFEFF${SEED.replaceAll("\n", "\r\n")}`);
    expect(parse(bytes)).toStrictEqual(parse(SEED));
  });

  it("allows fewer trailing columns, `~`, trailing `/`, slashes around the prefix", () => {
    expect(only("/Volumes/Photos | photos-bucket")).toMatchObject({
      localPath: "/Volumes/Photos",
      prefix: "",
      excludes: [],
    });
    expect(only("~ | home-bucket |").localPath).toBe(HOME);
    expect(only("~/ | home-bucket").name).toBe("dj");
    expect(only("/Volumes/Vault/ | b-vault | /a/b/ | ").prefix).toBe("a/b");
    expect(only("  \t/Volumes/X//y/./   |  bkt  |  p  |  ").localPath).toBe("/Volumes/X/y");
    expect(only("/ | root-bucket").name).toBe("/");
  });

  it("ignores blank and comment lines, keeps `#` inside cells", () => {
    const config = parse("\n   \n  # indented comment | not | a | target\n/V | bkt | | #*, a#b\n");
    expect(config.problems).toEqual([]);
    expect(config.targets.map((t) => [t.source?.line, t.excludes])).toEqual([[4, ["#*", "a#b"]]]);
  });

  it("drops empty exclude items (trailing commas)", () => {
    expect(only("/V | bkt | | .*, , */.*,").excludes).toEqual([".*", "*/.*"]);
  });

  it("an empty file or the sample has no targets and no problems", () => {
    expect(parse("")).toMatchObject({ targets: [], problems: [] });
    expect(parse(sampleConfig())).toMatchObject({ targets: [], problems: [] });
  });
});

describe("parseConfig: problems", () => {
  const cases: [string, string, string[]][] = [
    ["no bucket", "/Volumes/Vault", ["missing bucket (columns: local_path | bucket | prefix | excludes | options)"]],
    [
      "empty bucket",
      "/Volumes/Vault |  | p",
      ["missing bucket (columns: local_path | bucket | prefix | excludes | options)"],
    ],
    ["empty local path", " | bkt", ["missing local path"]],
    ["relative path", "music/. | bkt", ['local path "music/." is relative: it must start with / or ~/']],
    ["~user path", "~bob/music | bkt", ['local path "~bob/music": only ~ and ~/… are expanded; write the full path']],
    [
      "too many columns",
      "/V | bkt | p | .* | name=x | extra",
      ["too many columns: 6 (at most 5: local_path | bucket | prefix | excludes | options)"],
    ],
    ["short bucket", "/V | ab", ['bad bucket name "ab": must be 3 to 63 characters long']],
    ["long bucket", `/V | ${"a".repeat(64)}`, [`bad bucket name "${"a".repeat(64)}": must be 3 to 63 characters long`]],
    [
      "uppercase bucket",
      "/V | My-Bucket",
      ['bad bucket name "My-Bucket": may only contain lowercase letters, digits, dots and hyphens'],
    ],
    [
      "underscore bucket",
      "/V | my_bucket",
      ['bad bucket name "my_bucket": may only contain lowercase letters, digits, dots and hyphens'],
    ],
    [
      "bucket ends with hyphen",
      "/V | bucket-",
      ['bad bucket name "bucket-": must start and end with a letter or digit'],
    ],
    [
      "bucket starts with dot",
      "/V | .bucket",
      ['bad bucket name ".bucket": must start and end with a letter or digit'],
    ],
    ["bucket with ..", "/V | my..bucket", ['bad bucket name "my..bucket": must not contain two dots in a row']],
    ["IP bucket", "/V | 192.168.5.4", ['bad bucket name "192.168.5.4": must not be formatted as an IP address']],
    [
      "reserved prefix",
      "/V | xn--bucket",
      ['bad bucket name "xn--bucket": must not start with "xn--" (reserved by S3)'],
    ],
    [
      "reserved suffix",
      "/V | b-s3alias",
      ['bad bucket name "b-s3alias": must not end with "-s3alias" (reserved by S3)'],
    ],
    [
      "unknown option",
      "/V | bkt | | | colour=red",
      [
        'unknown option "colour" (known: name, profile, region, endpoint, path_style, storage_class, archived, aws_cli, concurrency, multipart_threshold, prove_min_size, hash_budget, part_size, max_deletes, max_delete_share, aws_max_concurrent_requests, aws_multipart_chunksize)',
      ],
    ],
    ["option without =", "/V | bkt | | | profile", ['option "profile" is not key=value']],
    ["option without value", "/V | bkt | | | profile=", ["option profile has no value"]],
    ["option twice", "/V | bkt | | | region=eu-west-1, region=us-east-1", ["option region given twice"]],
    [
      "bad profile",
      "/V | bkt | | | profile=my profile",
      ['bad profile "my profile": must be a profile name without spaces, "|", "," or "="'],
    ],
    ["bad region", "/V | bkt | | | region=eu_west", ['bad region "eu_west": must be a region name like eu-west-1']],
    [
      "ftp endpoint",
      "/V | bkt | | | endpoint=ftp://nas",
      ['bad endpoint "ftp://nas": must be an http:// or https:// URL'],
    ],
    [
      "no URL endpoint",
      "/V | bkt | | | endpoint=nas.local",
      ['bad endpoint "nas.local": must be an http:// or https:// URL'],
    ],
    ["bad path_style", "/V | bkt | | | path_style=yes", ['bad path_style "yes": must be true or false']],
    [
      "bad storage_class",
      "/V | bkt | | | storage_class=COLD",
      [
        'bad storage_class "COLD": must be one of STANDARD, REDUCED_REDUNDANCY, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER, DEEP_ARCHIVE, GLACIER_IR',
      ],
    ],
    ["bad archived", "/V | bkt | | | archived=skip", ['bad archived "skip": must be "wait" or "upload"']],
    [
      "relative aws_cli",
      "/V | bkt | | | aws_cli=bin/aws",
      ['bad aws_cli "bin/aws": must be an absolute path (start with / or ~/)'],
    ],
    ["zero concurrency", "/V | bkt | | | concurrency=0", ['bad concurrency "0": must be a whole number from 1 to 256']],
    [
      "huge concurrency",
      "/V | bkt | | | concurrency=257",
      ['bad concurrency "257": must be a whole number from 1 to 256'],
    ],
    [
      "fractional concurrency",
      "/V | bkt | | | concurrency=1.5",
      ['bad concurrency "1.5": must be a whole number from 1 to 256'],
    ],
    [
      "threshold above 5GiB",
      "/V | bkt | | | multipart_threshold=6GiB",
      ['bad multipart_threshold "6GiB": must be from 1 byte to 5GiB (the largest single copy S3 allows)'],
    ],
    [
      "threshold not a size",
      "/V | bkt | | | multipart_threshold=big",
      ['bad multipart_threshold "big": must be a size in bytes, like 5GiB, 8MiB or 1048576'],
    ],
    [
      "negative deletion cap",
      "/V | bkt | | | max_deletes=-1",
      ['bad max_deletes "-1": must be a whole number of objects, 0 or more'],
    ],
    [
      "deletion share without %",
      "/V | bkt | | | max_delete_share=0.5",
      ['bad max_delete_share "0.5": must be a percentage from 0% to 100%, like 50%'],
    ],
    [
      "deletion share above 100%",
      "/V | bkt | | | max_delete_share=150%",
      ['bad max_delete_share "150%": must be a percentage from 0% to 100%, like 50%'],
    ],
    [
      "options in the excludes column",
      "/V | bkt | | profile=work",
      ['exclude "profile=work" looks like an option: options go in the 5th column (leave columns empty with "| |")'],
    ],
  ];

  it.each(cases)("%s", (_label, line, expected) => {
    const text = `# comment\n${line}\n`;
    expect(messages(text)).toEqual(expected.map((message) => `${FILE}:2: ${message}`));
    expect(parse(text).targets).toEqual([]);
  });

  it("collects every problem of every line, in line order", () => {
    const text = ["foo", "/ok | good-bucket", "/V | Bad_ | | | concurrency=0, zz=1"].join("\n");
    expect(messages(text)).toEqual([
      `${FILE}:1: local path "foo" is relative: it must start with / or ~/`,
      `${FILE}:1: missing bucket (columns: local_path | bucket | prefix | excludes | options)`,
      `${FILE}:3: bad bucket name "Bad_": may only contain lowercase letters, digits, dots and hyphens`,
      `${FILE}:3: bad concurrency "0": must be a whole number from 1 to 256`,
      `${FILE}:3: unknown option "zz" (known: name, profile, region, endpoint, path_style, storage_class, archived, aws_cli, concurrency, multipart_threshold, prove_min_size, hash_budget, part_size, max_deletes, max_delete_share, aws_max_concurrent_requests, aws_multipart_chunksize)`,
    ]);
    expect(parse(text).targets.map((t) => t.bucket)).toEqual(["good-bucket"]);
  });

  it("reports a local path used twice, however it is spelled", () => {
    const text = "~/music/. | bucket-music\n/Users/dj/music/ | other-bucket\n";
    expect(messages(text)).toEqual([`${FILE}:2: local path already used by line 1`]);
    expect(parse(text).targets.map((t) => t.source?.line)).toEqual([1]);
  });

  it("reports the same target twice", () => {
    expect(messages("/V | bkt | p\n/V | bkt | p\n")).toEqual([`${FILE}:2: local path already used by line 1`]);
    expect(messages("/V | bkt | p\n/W | bkt | p\n")).toEqual([
      `${FILE}:2: s3://bkt/p overlaps s3://bkt/p of line 1: each sync --delete would delete the other's objects`,
    ]);
  });

  it("reports two targets with the same name", () => {
    expect(messages("/Volumes/A/music | bkt-a\n~/music | bkt-b\n")).toEqual([
      `${FILE}:2: name "music" already used by line 1 (set a different name=…)`,
    ]);
    expect(parse("/Volumes/A/music | bkt-a | | | name=music-a\n~/music | bkt-b\n").problems).toEqual([]);
  });

  it("reports nested destinations but allows side-by-side prefixes and other endpoints", () => {
    expect(messages("/A | bkt | music\n/B | bkt | music/crates\n/C | bkt\n")).toEqual([
      `${FILE}:2: s3://bkt/music/crates overlaps s3://bkt/music of line 1: each sync --delete would delete the other's objects`,
      `${FILE}:3: s3://bkt overlaps s3://bkt/music of line 1: each sync --delete would delete the other's objects`,
    ]);
    const fine = "/A | bkt | music\n/B | bkt | musical\n/C | bkt | music | | endpoint=http://127.0.0.1:4566\n";
    expect(parse(fine).problems).toEqual([]);
  });

  it("reports a target whose folder is inside another's, naming both", () => {
    expect(messages("/Volumes/Vault | bkt-a\n/Volumes/Vault/Music/. | bkt-b\n/Volumes | bkt-c | p\n")).toEqual([
      `${FILE}:2: local path /Volumes/Vault/Music is inside /Volumes/Vault of line 1: one target's folder may not be inside another's (the outer sync would upload the inner one's files and state DB again)`,
      `${FILE}:3: local path /Volumes contains /Volumes/Vault of line 1: one target's folder may not be inside another's (the outer sync would upload the inner one's files and state DB again)`,
      `${FILE}:3: local path /Volumes contains /Volumes/Vault/Music of line 2: one target's folder may not be inside another's (the outer sync would upload the inner one's files and state DB again)`,
    ]);
    expect(parse("/Volumes/Vault | bkt-a\n/Volumes/Vault 2 | bkt-b\n/Volumes/Vaul | bkt-c\n").problems).toEqual([]);
    expect(messages("/ | bkt-a\n/Users | bkt-b\n")).toEqual([
      `${FILE}:2: local path /Users is inside / of line 1: one target's folder may not be inside another's (the outer sync would upload the inner one's files and state DB again)`,
    ]);
  });

  it("refuses a prefix aws cannot match excludes under (* and [), and takes ? and ]", () => {
    expect(messages("/A | bkt | Mixes * 2024\n/B | bkt | /Music [old]/\n")).toEqual([
      `${FILE}:1: prefix "Mixes * 2024" holds "*", which aws s3 sync reads as pattern syntax in the prefix of every exclude: excluded objects would no longer be safe from --delete. Use a prefix without "*" and "["`,
      `${FILE}:2: prefix "/Music [old]/" holds "[", which aws s3 sync reads as pattern syntax in the prefix of every exclude: excluded objects would no longer be safe from --delete. Use a prefix without "*" and "["`,
    ]);
    expect(parse("/A | bkt | Mixes? 2024]\n").targets.map((t) => t.prefix)).toEqual(["Mixes? 2024]"]);
    expect(prefixSchema.safeParse("a*b").success).toBe(false);
    expect(prefixSchema.safeParse("a?b]").success).toBe(true);
  });

  it("reports a line that is not valid UTF-8 at its line, and keeps parsing the others", () => {
    const before = new TextEncoder().encode("# config\n/A | bucket-a\n/B | bucket-");
    const after = new TextEncoder().encode(" | p\n/C | bucket-c\n");
    const bytes = new Uint8Array([...before, 0xff, 0xfe, ...after]);
    const config = parse(bytes);
    expect(config.problems).toEqual([
      {
        file: FILE,
        line: 3,
        message: "not valid UTF-8: save the file as UTF-8",
      },
    ]);
    expect(config.targets.map((t) => t.bucket)).toEqual(["bucket-a", "bucket-c"]);
    // A truncated multi-byte sequence (é is C3 A9) is caught too.
    expect(parse(new Uint8Array([0x2f, 0x41, 0xc3, 0x0a])).problems.map((p) => p.line)).toEqual([1]);
  });
});

describe("parseConfig: options and defaults", () => {
  it("parses the content-proof settings: size floor, hashing budget, another tool's part size", () => {
    const target = only("/V | bkt | | | prove_min_size=1MiB, hash_budget=10GiB, part_size=16MiB");
    expect(target).toMatchObject({ proveMinSize: 1024 ** 2, hashBudget: 10 * 1024 ** 3, partSizes: [16 * 1024 ** 2] });
    expect(messages("/V | bkt | | | part_size=1MiB")).toEqual([
      `${FILE}:1: bad part_size "1MiB": must be a multipart part size from 5MiB to 5GiB`,
    ]);
  });

  it("parses aws's upload settings, refuses values aws or S3 would not take, and writes them back as read", () => {
    const line = "/V | bkt | | | aws_max_concurrent_requests=32, aws_multipart_chunksize=16MiB";
    const target = only(line);
    expect(target).toMatchObject({ awsMaxConcurrentRequests: 32, awsMultipartChunksize: 16 * 1024 ** 2 });
    expect(messages("/V | bkt | | | aws_max_concurrent_requests=0, aws_multipart_chunksize=4MiB")).toEqual([
      `${FILE}:1: bad aws_max_concurrent_requests "0": must be a whole number from 1 to 256`,
      `${FILE}:1: bad aws_multipart_chunksize "4MiB": must be a multipart part size from 5MiB to 5GiB`,
    ]);
    const entry = parse(line).entries[0];
    expect(upsertTargetInText(line, entry.input, entry.line)).toBe(line);
  });

  it("parses every option into the Target's fields", () => {
    const target = only(
      "/Volumes/Vault/. | bucket-vault | crates | .* | name=The Vault, profile=work, region=eu-west-1, " +
        "endpoint=https://s3.example.com:9000/base, path_style=false, storage_class=glacier_ir, archived=upload, " +
        "aws_cli=~/bin/aws, concurrency=32, multipart_threshold=8MiB, max_deletes=500, max_delete_share=25%",
    );
    expect(target).toStrictEqual({
      name: "The Vault",
      localPath: "/Volumes/Vault",
      bucket: "bucket-vault",
      prefix: "crates",
      excludes: [".*"],
      profile: "work",
      region: "eu-west-1",
      endpointUrl: "https://s3.example.com:9000/base",
      forcePathStyle: false,
      storageClass: "GLACIER_IR",
      archivedMoves: "upload",
      awsCli: "/Users/dj/bin/aws",
      concurrency: 32,
      multipartCopyThreshold: 8 * 1024 * 1024,
      maxDeletes: 500,
      maxDeleteShare: 0.25,
      source: { file: FILE, line: 1 },
    });
  });

  it("uses path-style addressing by default only when an endpoint is set", () => {
    expect(only("/V | bkt | | | endpoint=http://127.0.0.1:9000").forcePathStyle).toBe(true);
    expect(only("/V | bkt | | | profile=work").forcePathStyle).toBeUndefined();
  });

  it("reads byte sizes with binary units", () => {
    expect(
      ["1", "1024", "1KiB", "1kb", "8MiB", "8 MB", "1.5GiB", "5G", "2TiB", "1x", "", "-1", "GiB"].map(parseByteSize),
    ).toEqual([
      1,
      1024,
      1024,
      1024,
      8388608,
      8388608,
      1610612736,
      5368709120,
      2 * 1024 ** 4,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect([1000, 1024, 5 * 1024 ** 3, 1536].map(formatByteSize)).toEqual(["1000", "1KiB", "5GiB", "1536"]);
  });

  it("applies the defaults line to targets above and below it; a target's own options win", () => {
    const config = parse(
      [
        "/A | bucket-a",
        "defaults | profile=work, region=eu-west-1, endpoint=http://nas:9000, concurrency=8",
        "/B | bucket-b | | | region=us-east-1, path_style=false",
      ].join("\n"),
    );
    expect(config.problems).toEqual([]);
    expect(config.defaults).toStrictEqual({
      profile: "work",
      region: "eu-west-1",
      endpointUrl: "http://nas:9000",
      concurrency: 8,
    });
    expect(config.targets.map(({ source: _source, excludes: _excludes, ...rest }) => rest)).toStrictEqual([
      {
        name: "A",
        localPath: "/A",
        bucket: "bucket-a",
        prefix: "",
        profile: "work",
        region: "eu-west-1",
        endpointUrl: "http://nas:9000",
        forcePathStyle: true,
        concurrency: 8,
      },
      {
        name: "B",
        localPath: "/B",
        bucket: "bucket-b",
        prefix: "",
        profile: "work",
        region: "us-east-1",
        endpointUrl: "http://nas:9000",
        forcePathStyle: false,
        concurrency: 8,
      },
    ]);
    // entries keep each line's own options only, for editing without copying the defaults in.
    expect(config.entries.map((e) => [e.line, e.input])).toEqual([
      [1, { localPath: "/A", bucket: "bucket-a", prefix: "", excludes: [] }],
      [
        3,
        {
          localPath: "/B",
          bucket: "bucket-b",
          prefix: "",
          excludes: [],
          region: "us-east-1",
          forcePathStyle: false,
        },
      ],
    ]);
  });

  it("reports a second defaults line, name as a default, extra columns and bad values", () => {
    const text = "defaults | profile=a\ndefaults | profile=b\ndefaults | name=x, concurrency=999 | extra\n/A | bkt\n";
    expect(messages(text)).toEqual([
      `${FILE}:2: defaults already given on line 1`,
      `${FILE}:3: defaults already given on line 1`,
    ]);
    expect(messages("defaults | name=x, concurrency=999 | extra\n")).toEqual([
      `${FILE}:1: too many columns: the defaults line is "defaults | key=value, …"`,
      `${FILE}:1: name cannot be a default: it names one target`,
      `${FILE}:1: bad concurrency "999": must be a whole number from 1 to 256`,
    ]);
    expect(parse(text).targets[0]?.profile).toBe("a");
  });

  it("defaults never rename targets: they keep their folder names", () => {
    expect(parse("defaults | region=eu-west-1\n/Volumes/Vault | bkt\n").targets[0]?.name).toBe("Vault");
  });

  it("says what a target that leaves an option out inherits, as the targets are resolved", () => {
    const { defaults, entries, targets } = parse(
      "defaults | concurrency=32, max_delete_share=20%, path_style=false\n/A | bkt | | | concurrency=4\n",
    );
    expect(inheritedOption(defaults, "concurrency")).toBe(32);
    expect(inheritedOption(defaults, "max_delete_share")).toBe(0.2);
    expect(inheritedOption(defaults, "path_style")).toBe(false);
    // Not on the defaults line: the built-in default applies.
    expect(inheritedOption(defaults, "max_deletes")).toBeUndefined();
    expect(inheritedOption(defaults, "name")).toBeUndefined();
    // The target's own option wins over the defaults line's, the rest is inherited.
    const { localPath: _localPath, bucket: _bucket, prefix: _prefix, excludes: _excludes, ...own } = entries[0]!.input;
    expect(applyDefaults(defaults, own)).toStrictEqual({ concurrency: 4, maxDeleteShare: 0.2, forcePathStyle: false });
    expect(targets[0]).toMatchObject(applyDefaults(defaults, own));
  });
});

describe("writing back", () => {
  const FILE_TEXT = [
    "# my volumes",
    "",
    "~/music/.          | bucket-music   |        | *.m4p, .*, */.*",
    "   # the vault:",
    "/Volumes/Vault/.   | bucket-vault   | crates | .*, */.*",
    "",
    "defaults | profile=work",
    "# end",
    "",
  ].join("\n");

  function reparsed(text: string) {
    const config = parse(text);
    expect(config.problems).toEqual([]);
    return config.targets.map(({ source: _source, ...rest }) => rest);
  }

  it("formats target lines, leaving out trailing empty columns", () => {
    expect(
      formatTargetLine({
        localPath: "/Volumes/Vault/.",
        bucket: "bucket-vault",
        prefix: "crates",
        excludes: [".*", "*/.*"],
      }),
    ).toBe("/Volumes/Vault/. | bucket-vault | crates | .*, */.*");
    expect(formatTargetLine({ localPath: "~/music", bucket: "bucket-music" })).toBe("~/music | bucket-music");
    expect(
      formatTargetLine({
        localPath: "/P",
        bucket: "photos-b",
        excludes: [],
        name: "Photos",
        endpointUrl: "http://nas:9000",
        forcePathStyle: true,
        storageClass: "DEEP_ARCHIVE",
        archivedMoves: "wait",
        concurrency: 4,
        multipartCopyThreshold: 5 * 1024 ** 3,
        maxDeletes: 0,
        maxDeleteShare: 0.125,
      }),
    ).toBe(
      "/P | photos-b | | | name=Photos, endpoint=http://nas:9000, path_style=true, storage_class=DEEP_ARCHIVE, archived=wait, concurrency=4, multipart_threshold=5GiB, max_deletes=0, max_delete_share=12.5%",
    );
  });

  it("refuses input that would break the file", () => {
    const bad: [TargetInput, string][] = [
      [{ localPath: "music", bucket: "bkt" }, "localPath: must be absolute (start with / or ~/)"],
      [{ localPath: "/a|b", bucket: "bkt" }, 'localPath: must not contain "|" or line breaks'],
      [{ localPath: "/a", bucket: "Bkt" }, "bucket: may only contain lowercase letters, digits, dots and hyphens"],
      [{ localPath: "/a", bucket: "bkt", excludes: ["a,b"] }, 'excludes.0: must not contain "|", "," or line breaks'],
      [{ localPath: "/a", bucket: "bkt", excludes: [""] }, "excludes.0: must not be empty"],
      [{ localPath: "/a", bucket: "bkt", prefix: "p\nq" }, 'prefix: must not contain "|" or line breaks'],
      [{ localPath: "/a", bucket: "bkt", name: "a, b" }, 'name: must not contain "|", "," or line breaks'],
      [{ localPath: "/a", bucket: "bkt", concurrency: 0 }, "concurrency: must be a whole number from 1 to 256"],
    ];
    for (const [input, detail] of bad) {
      expect(() => formatTargetLine(input)).toThrow(`Cannot write this target: ${detail}.`);
      expect(targetInputSchema.safeParse(input).success).toBe(false);
    }
    expect(() => formatTargetLine({ localPath: "/a", bucket: "bkt" })).not.toThrow();
  });

  it("appends a new target and keeps everything else byte for byte", () => {
    const text = upsertTargetInText(FILE_TEXT, {
      localPath: "/Volumes/Photos",
      bucket: "photos-b",
      prefix: "2024",
    });
    expect(text).toBe(`${FILE_TEXT}/Volumes/Photos | photos-b | 2024\n`);
    expect(reparsed(text).map((t) => t.name)).toEqual(["music", "Vault", "Photos"]);
    expect(upsertTargetInText("# only", { localPath: "/X", bucket: "bkt" })).toBe("# only\n/X | bkt\n");
    expect(upsertTargetInText("", { localPath: "/X", bucket: "bkt" })).toBe("/X | bkt\n");
  });

  it("replaces the edited line in place", () => {
    const text = upsertTargetInText(
      FILE_TEXT,
      {
        localPath: "/Volumes/Vault/.",
        bucket: "bucket-vault",
        prefix: "crates2",
        excludes: [".*"],
      },
      5,
    );
    const lines = FILE_TEXT.split("\n");
    lines[4] = "/Volumes/Vault/. | bucket-vault | crates2 | .*";
    expect(text).toBe(lines.join("\n"));
    expect(reparsed(text)[1]).toMatchObject({
      prefix: "crates2",
      excludes: [".*"],
      profile: "work",
    });
  });

  it("round-trips every parsed entry to the same targets", () => {
    const config = parse(FILE_TEXT);
    let text = FILE_TEXT;
    for (const entry of config.entries) text = upsertTargetInText(text, entry.input, entry.line);
    expect(text.split("\n").filter((l) => l.startsWith("#") || l === "")).toEqual(
      FILE_TEXT.split("\n").filter((l) => l.startsWith("#") || l === ""),
    );
    expect(reparsed(text)).toStrictEqual(reparsed(FILE_TEXT));
    expect(text).toContain("~/music/. | bucket-music | | *.m4p, .*, */.*");
  });

  it("keeps each value as the line wrote it unless it changed: ~, sizes, shares, case, excludes, prefix slashes", () => {
    const line =
      "~/Pictures/. | photos-b | /2024/ | .*,*/.* | name=Pics, endpoint=HTTP://NAS.local:9000/, path_style=TRUE, " +
      "storage_class=standard_ia, archived=Upload, aws_cli=~/bin/aws, concurrency=08, prove_min_size=262144, " +
      "hash_budget=1.5 GiB, part_size=16MB, max_delete_share=33.333%, aws_multipart_chunksize=16777216";
    const config = parse(`defaults | aws_cli=~/bin/aws2, hash_budget=16777216\n${line}\n`);
    expect(config.problems).toEqual([]);
    const [entry] = config.entries;
    // Read but not resolved for the form; resolved for the run.
    expect(entry!.input).toMatchObject({ localPath: "~/Pictures/.", prefix: "2024", awsCli: "~/bin/aws" });
    expect(config.targets[0]).toMatchObject({ localPath: "/Users/dj/Pictures", awsCli: "/Users/dj/bin/aws" });
    expect(config.defaults.awsCli).toBe("/Users/dj/bin/aws2");
    expect(config.writtenDefaults).toStrictEqual({ aws_cli: "~/bin/aws2", hash_budget: "16777216" });
    expect(entry!.written).toStrictEqual({
      localPath: "~/Pictures/.",
      bucket: "photos-b",
      prefix: "/2024/",
      excludes: ".*,*/.*",
      options: {
        name: "Pics",
        endpoint: "HTTP://NAS.local:9000/",
        path_style: "TRUE",
        storage_class: "standard_ia",
        archived: "Upload",
        aws_cli: "~/bin/aws",
        concurrency: "08",
        prove_min_size: "262144",
        hash_budget: "1.5 GiB",
        part_size: "16MB",
        max_delete_share: "33.333%",
        aws_multipart_chunksize: "16777216",
      },
    });

    // Written back with the line's own text: the same line, byte for byte.
    const input = { ...entry!.input, prefix: entry!.written.prefix };
    expect(upsertTargetInText(`${line}\n`, input, 1, entry!.written)).toBe(`${line}\n`);
    // Without it, each value is spelt the writer's way (and the share's third decimal is lost).
    expect(formatTargetLine(entry!.input)).toBe(
      "~/Pictures/. | photos-b | 2024 | .*, */.* | name=Pics, endpoint=HTTP://NAS.local:9000/, path_style=true, " +
        "storage_class=STANDARD_IA, archived=upload, aws_cli=~/bin/aws, concurrency=8, prove_min_size=256KiB, " +
        "hash_budget=1536MiB, part_size=16MiB, max_delete_share=33.33%, aws_multipart_chunksize=16MiB",
    );
    // A changed value is written anew; a text that no longer reads as the value is not used.
    expect(
      formatTargetLine(
        { ...input, concurrency: 4, excludes: [".*"], partSizes: [8 * 1024 ** 2], storageClass: "GLACIER" },
        entry!.written,
      ),
    ).toBe(
      line
        .replace("concurrency=08", "concurrency=4")
        .replace(".*,*/.*", ".*")
        .replace("16MB", "8MiB")
        .replace("standard_ia", "GLACIER"),
    );
    // Nor a text that would break the line, whatever it reads as.
    expect(
      formatTargetLine(
        { localPath: "/V", bucket: "bkt", excludes: [".*", "x"], concurrency: 8, hashBudget: 16 * 1024 ** 2 },
        { excludes: ".*,\nx", options: { concurrency: " 8", hash_budget: "16\nMiB" } },
      ),
    ).toBe("/V | bkt | | .*, x | concurrency=8, hash_budget=16MiB");
  });

  it("keeps the options in the line's own order when one is edited, and writes a new one after them", () => {
    const line = "/V | bkt | | | aws_cli=~/bin/aws, max_delete_share=30%, concurrency=8, profile=work";
    const [entry] = parse(`${line}\n`).entries;
    const edited = { ...entry!.input, concurrency: 12, profile: undefined, region: "eu-west-1" };
    expect(upsertTargetInText(`${line}\n`, edited, 1, entry!.written)).toBe(
      "/V | bkt | | | aws_cli=~/bin/aws, max_delete_share=30%, concurrency=12, region=eu-west-1\n",
    );
    // A line written anew (no line to follow) takes the documented order.
    expect(formatTargetLine(edited)).toBe(
      "/V | bkt | | | region=eu-west-1, aws_cli=~/bin/aws, concurrency=12, max_delete_share=30%",
    );
  });

  it("names the folder a local path cell names, as the parser resolves it", () => {
    expect(
      ["~/music/.", "/Volumes/Vault/./", "/Volumes//Vault/", "~", "/", "music", "~dj/music"].map((raw) =>
        localFolder(raw, HOME),
      ),
    ).toEqual(["/Users/dj/music", "/Volumes/Vault", "/Volumes/Vault", "/Users/dj", "/", undefined, undefined]);
  });

  it("removes a target and nothing else", () => {
    const text = removeTargetFromText(FILE_TEXT, 3);
    expect(text).toBe(FILE_TEXT.replace("~/music/.          | bucket-music   |        | *.m4p, .*, */.*\n", ""));
    expect(reparsed(text).map((t) => t.name)).toEqual(["Vault"]);
  });

  it("refuses to replace or remove a line that is not a target", () => {
    for (const line of [0, 1, 2, 4, 7, 99, 1.5]) {
      expect(() => removeTargetFromText(FILE_TEXT, line)).toThrow(SmartSyncError);
      expect(() => upsertTargetInText(FILE_TEXT, { localPath: "/X", bucket: "bkt" }, line)).toThrow(
        `Line ${line} of the config is not a target.`,
      );
    }
  });

  it("keeps CRLF line ends", () => {
    const crlf = FILE_TEXT.replaceAll("\n", "\r\n");
    expect(upsertTargetInText(crlf, { localPath: "/X", bucket: "bkt" })).toBe(`${crlf}/X | bkt\r\n`);
    expect(upsertTargetInText(crlf, { localPath: "/X", bucket: "bkt" }, 3)).toBe(
      crlf.replace("~/music/.          | bucket-music   |        | *.m4p, .*, */.*", "/X | bkt"),
    );
    expect(
      upsertTargetInText("# a\r\n/A | bkt", {
        localPath: "/X",
        bucket: "bkt2",
      }),
    ).toBe("# a\r\n/A | bkt\r\n/X | bkt2\r\n");
  });

  it("sets, replaces and removes the defaults line", () => {
    const replaced = setDefaultsInText(FILE_TEXT, {
      region: "eu-west-1",
      concurrency: 4,
    });
    expect(replaced).toBe(FILE_TEXT.replace("defaults | profile=work", "defaults | region=eu-west-1, concurrency=4"));
    const removed = setDefaultsInText(FILE_TEXT, {});
    expect(removed).toBe(FILE_TEXT.replace("defaults | profile=work\n", ""));
    const inserted = setDefaultsInText(removed, { profile: "home" });
    expect(inserted.split("\n").slice(0, 4)).toEqual([
      "# my volumes",
      "",
      "defaults | profile=home",
      FILE_TEXT.split("\n")[2],
    ]);
    expect(parse(inserted).targets.map((t) => t.profile)).toEqual(["home", "home"]);
  });
});

describe("the sample", () => {
  it("documents every column and option", () => {
    const sample = sampleConfig();
    for (const word of ["local_path", "bucket", "prefix", "excludes", "options", "defaults |"])
      expect(sample).toContain(word);
    for (const key of [
      "name",
      "profile",
      "region",
      "endpoint",
      "path_style",
      "storage_class",
      "archived",
      "aws_cli",
      "concurrency",
      "multipart_threshold",
      "prove_min_size",
      "hash_budget",
      "part_size",
      "max_deletes",
      "max_delete_share",
      "aws_max_concurrent_requests",
      "aws_multipart_chunksize",
    ]) {
      expect(sample).toMatch(new RegExp(`^#\\s+${key}=`, "m"));
    }
  });

  it("has examples that parse without problems once uncommented, the seed's lines among them", () => {
    const sample = sampleConfig();
    expect(sample).toContain("# ~/music/.          | bucket-music   |        | *.m4p, .*, */.*\n");
    expect(sample).toContain("# /Volumes/Vault/.   | bucket-vault   | crates | .*, */.*\n");
    const uncommented = sample
      .split("\n")
      .map((line) => (/^# [~/]/.test(line) ? line.slice(2) : line))
      .join("\n");
    const config = parse(uncommented);
    expect(config.problems).toEqual([]);
    expect(config.targets.map((t) => t.name)).toEqual(["music", "Vault", "Photos", "Archive"]);
  });
});

describe("loadConfig and initConfig", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "s3ss-config-"));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("initConfig writes the sample, which loads with no targets", async () => {
    const file = path.join(dir, "sub", ".s3-smart-sync.conf");
    expect(await initConfig(file)).toBe(file);
    expect(await fs.readFile(file, "utf8")).toBe(sampleConfig());
    expect(await loadConfig(file)).toMatchObject({
      file,
      targets: [],
      problems: [],
    });
  });

  it("initConfig refuses to overwrite an existing file", async () => {
    const file = path.join(dir, "conf");
    await fs.writeFile(file, SEED);
    const error = await initConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmartSyncError);
    expect(error).toMatchObject({
      code: "CONFIG_EXISTS",
      message: `A config file already exists at ${file}.`,
    });
    expect(await fs.readFile(file, "utf8")).toBe(SEED);
  });

  it("loadConfig says how to create a missing file", async () => {
    const error = await loadConfig(path.join(dir, "nope")).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "CONFIG_MISSING" });
    expect((error as SmartSyncError).hint).toContain("s3-smart-sync init");
  });

  it("loadConfig returns the targets of a valid file", async () => {
    const file = path.join(dir, "conf");
    await fs.writeFile(file, "/Volumes/Vault/. | bucket-vault | crates\n");
    const config = await loadConfig(file);
    expect(config.targets).toEqual([
      {
        name: "Vault",
        localPath: "/Volumes/Vault",
        bucket: "bucket-vault",
        prefix: "crates",
        excludes: [],
        source: { file, line: 1 },
      },
    ]);
  });

  it("loadConfig throws every problem as file:line: message", async () => {
    const file = path.join(dir, "conf");
    await fs.writeFile(
      file,
      Buffer.concat([Buffer.from("/A | Bad_Bucket\n# ok\n/B | b"), Buffer.from([0xc0]), Buffer.from("kt\n")]),
    );
    const error = await loadConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      `${file}:1: bad bucket name "Bad_Bucket": may only contain lowercase letters, digits, dots and hyphens\n` +
        `${file}:3: not valid UTF-8: save the file as UTF-8`,
    );
    expect((error as ConfigError).problems).toHaveLength(2);
  });
});
