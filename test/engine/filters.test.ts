import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  TOOL_EXCLUDES,
  awsSourceArg,
  createExcludeMatcher,
  createKeyRuleMatcher,
  createRuleMatcher,
  fnmatchToRegExp,
  type FilterRule,
} from "../../src/engine/filters";

// Every expectation here comes from real Python: fnmatch itself, and aws-cli's Filter logic
// (os.path.abspath + os.path.join + fnmatch.fnmatch, last matching rule wins). When aws-cli is importable, its own Filter class is run as well and must agree.
const PYTHON = String.raw`
import json, os, sys, fnmatch
req = json.load(sys.stdin)
out = {"fnmatch": [], "local": [], "s3": [], "awscli": None}
for pat, name in req["fnmatch"]:
    try:
        out["fnmatch"].append(fnmatch.fnmatch(name, pat))
    except Exception:
        out["fnmatch"].append("error")

def expand(rules, rootdir):
    full = []
    for kind, pat in rules:
        full.append((kind, os.path.join(rootdir, pat)))
    return full

def decide(full, path):
    keep = True
    for kind, pat in full:
        if fnmatch.fnmatch(path, pat):
            keep = kind == "include"
    return not keep

for root, rules, rels in req["local"]:
    full = expand(rules, os.path.abspath(root))
    src = os.path.abspath(root) + os.sep  # fileformat.local_format for a directory
    out["local"].append([decide(full, os.path.join(src, rel)) for rel in rels])
for bucket, prefix, rules, rels in req["s3"]:
    s3root = bucket + "/" + prefix  # filters._get_s3_root for s3://bucket/prefix/
    full = expand(rules, s3root.rstrip("/") if prefix else s3root)
    out["s3"].append([decide(full, bucket + "/" + (prefix + "/" if prefix else "") + rel) for rel in rels])
try:
    from awscli.customizations.s3.filters import Filter
    from awscli.customizations.s3.filegenerator import FileStat
    res = []
    for root, rules, rels in req["local"]:
        f = Filter([[k, p] for k, p in rules], os.path.abspath(root), "bucket/prefix")
        src = os.path.abspath(root) + os.sep
        stats = [FileStat(src=os.path.join(src, rel), src_type="local") for rel in rels]
        kept = {s.src for s in f.call(stats)}
        res.append([s.src not in kept for s in stats])
    out["awscli"] = res
except ImportError:
    pass
print(json.dumps(out))
`;

const NFC = "caf\u00e9";
const NFD = "cafe\u0301";

const ROOTS = [
  "/vol/music",
  "/vol/my music",
  "/vol/[x]",
  "/vol/a*b",
  "/vol/q?",
  "/vol/trailing/",
  "/vol/./dots/../dots",
  "/",
];

const RELS = [
  ".DS_Store",
  "a/.DS_Store",
  ".hidden/x.mp3",
  "song.m4p",
  "dir/song.m4p",
  "a/b/c",
  "Music/x.mp3",
  "Music/x.MP3",
  "Music",
  `${NFC}/x`,
  `${NFD}/x`,
  "]x",
  "x[",
  "bx",
  "\u{1F600}",
  "a b/c d",
  ".s3-smart-sync.db",
  ".s3-smart-sync.lock",
  "logs/s3-sync-2024-01-01.log",
  "sub/logs/s3-sync-x.log",
  "q?/y",
];

const RULE_LISTS: FilterRule[][] = [
  ...[
    ".*",
    "*/.*",
    ".DS_Store",
    "*.m4p",
    "*",
    "a/*",
    "[ab]*",
    "[!a]*",
    "[]]x",
    "[a-c]?",
    "x[",
    "Music/*.MP3",
    `${NFC}*`,
    `${NFD}*`,
    "?",
    "/vol/*/a/*",
    "",
    "*[\u{1F600}]",
    "a\\ b/*",
    "q?/*",
  ].map((pattern): FilterRule[] => [{ type: "exclude", pattern }]),
  TOOL_EXCLUDES.map((pattern): FilterRule => ({ type: "exclude", pattern })),
  [
    { type: "exclude", pattern: ".*" },
    { type: "exclude", pattern: "*/.*" },
    { type: "exclude", pattern: "*.m4p" },
  ],
  [
    { type: "exclude", pattern: "*" },
    { type: "include", pattern: "*.mp3" },
  ],
  [
    { type: "exclude", pattern: "*" },
    { type: "include", pattern: "Music/*.mp3" },
  ],
  [
    { type: "include", pattern: "a/b/*" },
    { type: "exclude", pattern: "a/*" },
  ],
  [
    { type: "exclude", pattern: "*.m4p" },
    { type: "include", pattern: "dir/*" },
    { type: "exclude", pattern: "dir/song.*" },
  ],
];

/** Deterministic pseudo-random patterns rich in class syntax, to pin down fnmatch.translate. */
function fuzzCases(): [string, string][] {
  const alphabet = ["a", "b", "z", "-", "!", "]", "[", "^", "\\", "*", "?", "/", ".", "&", "~", "|", "é", "😀", "A"];
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const word = (max: number) => {
    let s = "";
    const len = Math.floor(rnd() * max);
    for (let k = 0; k < len; k++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    return s;
  };
  const cases: [string, string][] = [];
  for (let i = 0; i < 1500; i++) {
    const pattern = "[" + word(7);
    for (let t = 0; t < 4; t++) cases.push([pattern.slice(rnd() < 0.3 ? 1 : 0), word(5)]);
  }
  return cases;
}

const FNMATCH_CASES: [string, string][] = [
  ["*", "a/b"],
  ["*", ""],
  ["a*", "a/b/c"],
  ["?", "/"],
  ["?", "\u{1F600}"],
  ["?", "e\u0301"],
  ["[!a]", "/"],
  ["[]]", "]"],
  ["[]", "]"],
  ["[!]", "!"],
  ["[!]]", "a"],
  ["[a-]", "-"],
  ["[z-a]", "m"],
  ["[!z-a]", "m"],
  ["[\\]", "\\"],
  ["\\*", "\\x"],
  ["[^a]", "^"],
  ["[^a]", "b"],
  ["A", "a"],
  ["*a*a*a*a*a*a*b", "a".repeat(60)],
  ["x\ny", "x\ny"],
  ["*", "x\ny"],
  ...fuzzCases(),
];

function python(): {
  fnmatch: (boolean | "error")[];
  local: boolean[][];
  s3: boolean[][];
  awscli: boolean[][] | null;
} {
  const request = {
    fnmatch: FNMATCH_CASES,
    local: ROOTS.flatMap((root) => RULE_LISTS.map((rules) => [root, rules.map((r) => [r.type, r.pattern]), RELS])),
    s3: [
      ["bucket", "", RULE_LISTS[0], RELS],
      ["bucket", "p/q", RULE_LISTS[1], RELS],
      ["bucket", "p[1]", RULE_LISTS[0], RELS],
      ["my.bucket", "crates", RULE_LISTS[RULE_LISTS.length - 2], RELS],
    ].map(([b, p, rules, rels]) => [b, p, (rules as FilterRule[]).map((r) => [r.type, r.pattern]), rels]),
  };
  const out = execFileSync("python3", ["-c", PYTHON], { input: JSON.stringify(request), maxBuffer: 64 << 20 });
  return JSON.parse(out.toString());
}

const expected = python();

describe("fnmatchToRegExp", () => {
  it("agrees with Python's fnmatch on every case", () => {
    const mismatches: string[] = [];
    FNMATCH_CASES.forEach(([pattern, name], i) => {
      let actual: boolean | "error";
      try {
        actual = fnmatchToRegExp(pattern).test(name);
      } catch {
        actual = "error";
      }
      if (actual !== expected.fnmatch[i]) {
        mismatches.push(`${JSON.stringify(pattern)} vs ${JSON.stringify(name)}: python ${expected.fnmatch[i]}`);
      }
    });
    expect(mismatches).toEqual([]);
  });

  it("keeps the documented meanings", () => {
    expect(fnmatchToRegExp("*").test("a/b/c")).toBe(true);
    expect(fnmatchToRegExp("?").test("\u{1F600}")).toBe(true);
    expect(fnmatchToRegExp("[!a]x").test("bx")).toBe(true);
    expect(fnmatchToRegExp("x[").test("x[")).toBe(true);
    expect(fnmatchToRegExp("A").test("a")).toBe(false);
  });
});

describe("createRuleMatcher", () => {
  it("excludes exactly what aws-cli's filter excludes", () => {
    const mismatches: string[] = [];
    let n = 0;
    for (const root of ROOTS) {
      for (const rules of RULE_LISTS) {
        const matcher = createRuleMatcher(root, rules);
        const want = expected.local[n++];
        RELS.forEach((rel, i) => {
          if (matcher(rel) !== want[i]) {
            mismatches.push(`${root} ${JSON.stringify(rules)} ${JSON.stringify(rel)}: aws excludes=${want[i]}`);
          }
        });
      }
    }
    expect(mismatches).toEqual([]);
    expect(n).toBe(ROOTS.length * RULE_LISTS.length);
  });

  it("matches aws-cli's own Filter class (aws-cli 1.x's Python package, first on PATH here)", () => {
    expect(expected.awscli, "aws-cli's Python package could not be imported").toBeTruthy();
    expect(expected.awscli).toEqual(expected.local);
  });

  it("reads the DESIGN examples the way DESIGN says", () => {
    const m = createExcludeMatcher("/Volumes/Vault", [".*"]);
    expect(m(".DS_Store")).toBe(true);
    expect(m("a/b/.hidden")).toBe(false); // `.*` is anchored at the root: `<root>/.` ...
    expect(m(".git/config")).toBe(true); // ... but `*` crosses `/`
    const hidden = createExcludeMatcher("/Volumes/Vault", ["*/.*"]);
    expect(hidden("a/b/.hidden")).toBe(true);
    expect(hidden(".DS_Store")).toBe(false);
    const ds = createExcludeMatcher("/Volumes/Vault", [".DS_Store"]);
    expect(ds(".DS_Store")).toBe(true);
    expect(ds("a/.DS_Store")).toBe(false);
    const m4p = createExcludeMatcher("/Volumes/Vault", ["*.m4p"]);
    expect(m4p("deep/in/song.m4p")).toBe(true);
    expect(m4p("song.M4P")).toBe(false);
  });

  it("treats NFC and NFD spellings as different names", () => {
    const m = createExcludeMatcher("/v", [`${NFC}/*`]);
    expect(m(`${NFC}/x`)).toBe(true);
    expect(m(`${NFD}/x`)).toBe(false);
  });

  it("treats pattern characters in the root as pattern characters, as aws does", () => {
    expect(createExcludeMatcher("/vol/[x]", ["a"])("a")).toBe(false); // `[x]` matches `x`, not `[x]`
    expect(createExcludeMatcher("/vol/a*b", ["a"])("a")).toBe(true);
  });

  it("always excludes the tool's own files and nothing else", () => {
    const m = createExcludeMatcher("/v", [...TOOL_EXCLUDES]);
    expect(m(".s3-smart-sync.db")).toBe(true);
    expect(m(".s3-smart-sync.db.tmp-123")).toBe(true);
    expect(m(".s3-smart-sync.lock")).toBe(true);
    expect(m("logs/s3-sync-2024-05-01T10-00-00.log")).toBe(true);
    expect(m("logs/other.log")).toBe(false);
    expect(m("a/.s3-smart-sync.db")).toBe(false);
    expect(m("song.mp3")).toBe(false);
  });
});

describe("createKeyRuleMatcher", () => {
  it("matches aws's destination-side filter (bucket/prefix joined with the pattern)", () => {
    const setups: [string, string, FilterRule[]][] = [
      ["bucket", "", RULE_LISTS[0]],
      ["bucket", "p/q", RULE_LISTS[1]],
      ["bucket", "p[1]", RULE_LISTS[0]],
      ["my.bucket", "crates", RULE_LISTS[RULE_LISTS.length - 2]],
    ];
    setups.forEach(([bucket, prefix, rules], n) => {
      const m = createKeyRuleMatcher(bucket, prefix, rules);
      expect(RELS.map((rel) => m(rel))).toEqual(expected.s3[n]);
    });
  });
});

describe("awsSourceArg", () => {
  it("is absolute and normalised, which aws's abspath leaves unchanged", () => {
    expect(awsSourceArg("/Volumes/Vault/.")).toBe("/Volumes/Vault");
    expect(awsSourceArg("/Volumes/Vault/")).toBe("/Volumes/Vault");
    expect(awsSourceArg("/a/b/../c")).toBe("/a/c");
    const py = execFileSync("python3", ["-c", "import os,sys; print(os.path.abspath(sys.argv[1]))", "/Volumes/x y/."]);
    expect(awsSourceArg(py.toString().trim())).toBe(py.toString().trim());
  });
});
