// The rules a run gives aws, checked against aws itself: both aws-cli Python packages on this machine (1.x
// first on PATH, Debian's 2.x at /usr/bin) run their own create_filter + Filter over the argv rules, for local
// files and for objects, and must leave out exactly what the user meant, whatever the root holds. The
// engine's matchers (isExcludedPath, isExcludedKey) must say the same as aws.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { anchorToRoot, awsFilters, localExcludeMatcher, type AwsFilterInput } from "../../src/engine/aws-filters";
import {
  createExcludeMatcher,
  escapeFnmatch,
  prefixProblem,
  pythonPathFromBytes,
  SURROGATE_CLASS,
  TOOL_EXCLUDES,
  type FilterRule,
} from "../../src/engine/filters";
import type { SkippedEntry } from "../../src/engine/types";

// `meant` says what each rule is meant to leave out, without aws: a glob over the path relative to the root
// (fnmatch(rel, P), which is what aws does for a root without pattern characters), exactly one path, or a
// path and everything below it. Later entries win, as in aws.
const PYTHON = String.raw`
import json, os, sys, fnmatch
from awscli.customizations.s3.filters import create_filter
from awscli.customizations.s3.filegenerator import FileStat

def meant(rules, rel, full):
    out = False
    for kind, how, value in rules:
        if how == "glob" and value.startswith("/"):
            hit = full is not None and fnmatch.fnmatchcase(full, value)  # never a key
        elif how == "glob":
            hit = fnmatch.fnmatchcase(rel, value)
        elif how == "exact":
            hit = rel == value
        elif how == "tree-below":
            hit = rel.startswith(value + "/")
        else:
            hit = rel == value or rel.startswith(value + "/")
        if hit:
            out = kind == "exclude"
    return out

def aws(case, stats):
    params = {
        "filters": [["--" + kind, pattern] for kind, pattern in case["argv"]],
        "src": case["root"],
        "dest": "s3://" + case["bucket"] + "/" + (case["prefix"] + "/" if case["prefix"] else ""),
        "dir_op": True,
    }
    kept = {id(s) for s in create_filter(params).call(stats)}
    return [id(s) not in kept for s in stats]

out = []
for case in json.load(sys.stdin):
    rels = case["rels"]
    local = [FileStat(src=os.path.abspath(case["root"]) + os.sep + rel, src_type="local") for rel in rels]
    head = case["bucket"] + "/" + (case["prefix"] + "/" if case["prefix"] else "")
    objects = [FileStat(src=head + rel, src_type="s3") for rel in rels]
    out.append({
        "meantLocal": [meant(case["meant"], rel, s.src) for rel, s in zip(rels, local)],
        "meantS3": [meant(case["meant"], rel, None) for rel in rels],
        "local": aws(case, local),
        "s3": aws(case, objects),
    })
print(json.dumps(out))
`;

type Meant = ["exclude" | "include", "glob" | "exact" | "tree" | "tree-below", string];

interface Case {
  root: string;
  bucket: string;
  prefix: string;
  argv: [string, string][];
  meant: Meant[];
  rels: string[];
}

interface Verdicts {
  meantLocal: boolean[];
  meantS3: boolean[];
  local: boolean[];
  s3: boolean[];
}

const PYTHONS = [
  { name: "aws-cli 1.x (python3 on PATH)", python: "python3" },
  { name: "aws-cli 2.x (/usr/bin/python3)", python: "/usr/bin/python3" },
];

function askAws(python: string, cases: Case[]): Verdicts[] {
  const out = execFileSync(python, ["-c", PYTHON], { input: JSON.stringify(cases), maxBuffer: 64 << 20 });
  return JSON.parse(out.toString()) as Verdicts[];
}

const ROOTS = [
  "/vol/plain",
  "/vol/Music [old]",
  "/vol/Mixes * 2024",
  "/vol/q?",
  "/vol/a]b",
  "/vol/[",
  "/vol/x[[]y",
  "/vol/all [ ] * ? !",
  "/vol/*",
];
// Prefixes aws can be given (no `*`, no `[`).
const PREFIXES = ["", "p", "Mixes? 2024]", "a]b/c?"];

const RELS = [
  ".DS_Store",
  "a/.DS_Store",
  ".hidden/x.mp3",
  "song.m4p",
  "dir/song.m4p",
  "Music/x.mp3",
  "Music/x.MP3",
  "[old]/x",
  "o/x",
  "*",
  "x",
  "q?",
  ".s3-smart-sync.db",
  ".s3-smart-sync.lock",
  ".s3-smart-sync.lock.tmp-12",
  "logs/s3-sync-2024-01-01.log",
  "sub/logs/s3-sync-x.log",
  "wait [1]/for*restore?.mp3",
  "wait [1]/for-restore!.mp3",
  "locked dir/inner.mp3",
  "locked dir2/inner.mp3",
  "caf\u00e9/x",
];

const USER_EXCLUDE_LISTS: string[][] = [
  [],
  [".*", "*/.*", "*.m4p"],
  ["*"],
  ["Music/*.MP3", "[!a]*"],
  ["[old]/*", "?"],
  ["/vol/*/x"],
];

// Besides the target's own rules: a folder left alone (early-aws.ts, moves running beside aws), and a
// follow-up run that takes only some paths.
const VARIANTS: { leaveAloneFolders?: string[]; only?: string[] }[] = [
  {},
  { leaveAloneFolders: ["wait [1]", "o"] },
  { only: ["[old]/x", "wait [1]/for-restore!.mp3", "song.m4p", "*", "caf\u00e9/x"] },
];

function casesFor(root: string, prefix: string): { case: Case; input: AwsFilterInput }[] {
  return USER_EXCLUDE_LISTS.flatMap((userExcludes) =>
    VARIANTS.map((variant) => {
      const leaveAlone = ["wait [1]/for*restore?.mp3"];
      const skipped: SkippedEntry[] = [{ path: "locked dir", reason: "unreadable" }];
      const input: AwsFilterInput = { root, bucket: "bkt", prefix, userExcludes, leaveAlone, skipped, ...variant };
      const filters = awsFilters(input);
      const meant: Meant[] = [
        ...(variant.only
          ? [["exclude", "glob", "*"] as Meant, ...variant.only.map((p): Meant => ["include", "exact", p])]
          : []),
        ...userExcludes.map((p): Meant => ["exclude", "glob", p]),
        ...TOOL_EXCLUDES.map((p): Meant => ["exclude", "glob", p]),
        ["exclude", "exact", leaveAlone[0]],
        ...(variant.leaveAloneFolders ?? []).map((f): Meant => ["exclude", "tree-below", f]),
        ["exclude", "tree", "locked dir"],
      ];
      return {
        input,
        case: {
          root,
          bucket: "bkt",
          prefix,
          argv: filters.rules.map((r) => [r.type, r.pattern]),
          meant,
          rels: RELS,
        },
      };
    }),
  );
}

const CASES = ROOTS.flatMap((root) => PREFIXES.flatMap((prefix) => casesFor(root, prefix)));

describe.each(PYTHONS)("the rules given to $name", ({ python }) => {
  const verdicts = askAws(
    python,
    CASES.map((c) => c.case),
  );

  it("leave out, on the volume and in the bucket, exactly what the user meant, whatever the root holds", () => {
    const wrong: string[] = [];
    CASES.forEach(({ case: c }, n) => {
      const { meantLocal, meantS3, local, s3 } = verdicts[n];
      c.rels.forEach((rel, i) => {
        if (local[i] !== meantLocal[i]) wrong.push(`local ${c.root} ${JSON.stringify(c.argv)} ${rel}: aws ${local[i]}`);
        if (s3[i] !== meantS3[i]) wrong.push(`s3 ${c.prefix} ${JSON.stringify(c.argv)} ${rel}: aws ${s3[i]}`);
      });
    });
    expect(wrong).toEqual([]);
    // Not a test that cannot fail: both outcomes occur on both sides.
    expect(new Set(verdicts.flatMap((v) => [...v.local, ...v.s3]))).toEqual(new Set([true, false]));
  });

  it("and the engine's matchers say what aws does, for files and for keys", () => {
    const wrong: string[] = [];
    CASES.forEach(({ case: c, input }, n) => {
      const filters = awsFilters(input);
      c.rels.forEach((rel, i) => {
        if (filters.isExcludedPath(rel) !== verdicts[n].local[i]) wrong.push(`path ${c.root} ${rel}`);
        if (filters.isExcludedKey(rel) !== verdicts[n].s3[i]) wrong.push(`key ${c.prefix} ${rel}`);
      });
    });
    expect(wrong).toEqual([]);
  });

  it("a prefix holding * or [ breaks the S3 side, whatever the rules (why such prefixes are refused)", () => {
    const broken = ["Mixes * 2024", "p[1]"].map((prefix): Case => {
      const rules = anchorToRoot("/vol/plain", [{ type: "exclude", pattern: "*.m4p" }]);
      return {
        root: "/vol/plain",
        bucket: "bkt",
        prefix,
        argv: rules.map((r) => [r.type, r.pattern]),
        meant: [["exclude", "glob", "*.m4p"]],
        rels: ["song.m4p", "x/y.mp3"],
      };
    });
    const [star, bracket] = askAws(python, broken);
    expect(bracket.meantS3).toEqual([true, false]);
    expect(bracket.s3).toEqual([false, false]); // the excluded object would be deleted by --delete
    const starWidens = askAws(python, [
      { ...broken[0], argv: [["exclude", "x"]], meant: [["exclude", "glob", "x"]], rels: ["x", "a/ 2024/x"] },
    ])[0];
    expect(star.s3).toEqual([true, false]);
    expect(starWidens.meantS3).toEqual([true, false]);
    expect(starWidens.s3).toEqual([true, true]); // `*` in the prefix reaches into other folders
  });

  it("a root with pattern characters breaks plain patterns (why the rules are anchored)", () => {
    // The same excludes given as plain aws would get them: the tool's own files reach the bucket.
    const plain: Case = {
      root: "/vol/Music [old]",
      bucket: "bkt",
      prefix: "",
      argv: TOOL_EXCLUDES.map((p) => ["exclude", p]),
      meant: [],
      rels: [".s3-smart-sync.db"],
    };
    expect(askAws(python, [plain])[0].local).toEqual([false]);
  });
});

describe("anchorToRoot", () => {
  it("leaves the rules of a root without pattern characters as they are", () => {
    const rules: FilterRule[] = [{ type: "exclude", pattern: ".*" }];
    expect(anchorToRoot("/Volumes/Vault", rules)).toEqual(rules);
  });

  it("gives a root with pattern characters each rule relative, a re-include, and each rule absolute", () => {
    expect(anchorToRoot("/Volumes/Music [old]", [{ type: "exclude", pattern: ".*" }])).toEqual([
      { type: "exclude", pattern: ".*" },
      { type: "include", pattern: "/Volumes/Music [[]old]/*" },
      { type: "exclude", pattern: "/Volumes/Music [[]old]/.*" },
    ]);
  });
});

describe("localExcludeMatcher", () => {
  it("is the local side of the run's rules, for Status", () => {
    const m = localExcludeMatcher("/vol/Music [old]/.", [".*"]);
    expect(m(".DS_Store")).toBe(true);
    expect(m(".s3-smart-sync.db")).toBe(true);
    expect(m("a/song.mp3")).toBe(false);
    // What plain aws would do with that root: nothing excluded at all.
    expect(createExcludeMatcher("/vol/Music [old]", [".*"])(".DS_Store")).toBe(false);
  });
});

describe("prefixProblem", () => {
  it("refuses the prefixes aws cannot match excludes under, and only those", () => {
    expect(prefixProblem("Mixes * 2024")).toContain('"*"');
    expect(prefixProblem("Music [old]")).toContain('"["');
    for (const fine of ["", "crates", "Mixes? 2024]", "a]b", "été/ünï", "x!y"])
      expect(prefixProblem(fine)).toBeUndefined();
  });

  it("awsFilters refuses such a prefix", () => {
    expect(() => awsFilters({ root: "/v", bucket: "b", prefix: "a*b", userExcludes: [] })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
  });
});

// Names that are not valid UTF-8, as Python reads them and as the excludes must match them.
const DECODE = String.raw`
import json, sys, fnmatch
req = json.load(sys.stdin)
decoded = [bytes.fromhex(h).decode("utf-8", "surrogateescape") for h in req["names"]]
print(json.dumps({"decoded": decoded}))
`;

function randomNames(count: number): Buffer[] {
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const interesting = [0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0x9f, 0xa0];
  const names: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const length = 1 + Math.floor(rnd() * 8);
    names.push(
      Buffer.from(
        Array.from({ length }, () =>
          rnd() < 0.6 ? interesting[Math.floor(rnd() * interesting.length)] : Math.floor(rnd() * 256) || 1,
        ),
      ),
    );
  }
  return names;
}

describe("names that are not valid UTF-8", () => {
  it("pythonPathFromBytes decodes as Python's surrogateescape does", () => {
    const names = [
      Buffer.from("caf\xe9.mp3", "latin1"),
      Buffer.from([0xed, 0xa0, 0x80, 0x61, 0xe2, 0x82, 0x78, 0xf0, 0x9f, 0x98]),
      Buffer.from("café", "utf8"),
      ...randomNames(3000),
    ];
    const out = execFileSync("python3", ["-c", DECODE], {
      input: JSON.stringify({ names: names.map((n) => n.toString("hex")) }),
      maxBuffer: 64 << 20,
    });
    const { decoded } = JSON.parse(out.toString()) as { decoded: string[] };
    const wrong = names.filter((n, i) => pythonPathFromBytes(n) !== decoded[i]).map((n) => n.toString("hex"));
    expect(wrong).toEqual([]);
    expect(pythonPathFromBytes(names[0])).toBe("caf\udce9.mp3");
  });

  it("escapeFnmatch writes each bad byte as one class of real characters, which reach Python through argv", () => {
    const pattern = escapeFnmatch("caf\udce9 [1]*.mp3");
    expect(pattern).toBe(`caf${SURROGATE_CLASS} [[]1][*].mp3`);
    const seen = execFileSync("python3", ["-c", "import sys; print(ascii(sys.argv[1]))", pattern]).toString().trim();
    expect(seen).toBe("'caf[!\\x01-\\ud7ff\\ue000-\\U0010ffff] [[]1][*].mp3'");
  });

  it.each(PYTHONS)("with $name, exclude the name and its folder's contents, and no neighbour", ({ python }) => {
    const bad = (s: string) => pythonPathFromBytes(Buffer.from(s, "latin1"));
    const names = [bad("caf\xe9.mp3"), bad("d\xe9j\xe0")];
    const skipped: SkippedEntry[] = names.map((pythonPath) => ({
      path: pythonPath.replace(/[\uD800-\uDFFF]/g, "\uFFFD"),
      pythonPath,
      reason: "invalid-utf8-name",
    }));
    const rels = [
      names[0],
      "cafe.mp3",
      "caf\u00e9.mp3",
      "cafeteria/x.mp3",
      "caf.mp3",
      `caf${bad("\xe9\xe9")}.mp3`,
      `${names[1]}/inside.mp3`,
      "d\u00e9j\u00e0/x",
      "dej/x",
    ];
    for (const root of ["/vol/plain", "/vol/Music [old]"]) {
      const filters = awsFilters({ root, bucket: "bkt", prefix: "", userExcludes: [], skipped });
      const [verdict] = askAws(python, [
        { root, bucket: "bkt", prefix: "", argv: filters.rules.map((r) => [r.type, r.pattern]), meant: [], rels },
      ]);
      expect(verdict.local).toEqual([true, false, false, false, false, false, true, false, false]);
    }
  });
});
