// aws-compatible `--exclude` / `--include` matching.
//
// What aws-cli does (awscli/customizations/s3/filters.py, fileformat.py, filegenerator.py):
// - The local source root is `os.path.abspath(src)` (normalised, no trailing slash, symlinks NOT resolved).
// - Each pattern becomes `os.path.join(root, pattern)`: an absolute pattern replaces the root.
// - Files are matched by their full path `abspath(src) + "/" + rel` with `fnmatch.fnmatch`, which on
//   POSIX (Linux and macOS) is `fnmatchcase`: case-sensitive, `*` crosses `/`, root characters such as
//   `[` or `*` act as pattern characters too.
// - Every rule is tested in order and the last matching one wins. (Auto-including an include's parent
//   folders was proposed in aws/aws-cli#5425 and never merged: released 1.x and 2.x do not do it.)
// - aws also tests each rule joined onto the destination root (`bucket/prefix/<pattern>`) against the
//   local path; such a pattern starts with the bucket name and can never match an absolute path unless
//   the pattern itself is absolute, where it equals the source form. So it is left out here.
import { resolve } from "node:path";

export type FilterRule = { type: "exclude" | "include"; pattern: string };

/** Names of the tool's own files at the volume root (DB, lock, journal) start with this. */
export const TOOL_FILE_PREFIX = ".s3-smart-sync";

/** The tool's own files at the volume root: never uploaded, never moved, never deleted by aws. */
export const TOOL_EXCLUDES: readonly string[] = [`${TOOL_FILE_PREFIX}*`, "logs/s3-sync-*.log"];

/**
 * The exact source argument to give `aws s3 sync`: an absolute, normalised path without trailing slash.
 * aws's `os.path.abspath` leaves it unchanged, so the matcher and aws use the same root string.
 */
export function awsSourceArg(root: string): string {
  return resolve(root);
}

const REGEX_SYNTAX = new Set("^$\\.*+?()[]{}|/".split("").map((c) => c.codePointAt(0)!));

function literal(cp: number): string {
  return REGEX_SYNTAX.has(cp) ? "\\" + String.fromCodePoint(cp) : String.fromCodePoint(cp);
}

function classChar(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

const STAR = Symbol("star");
type Piece = string | typeof STAR;

/**
 * Python's `fnmatch.translate` (3.8–3.13) as a JS RegExp with the same full-match semantics.
 * Works on code points (`u` flag) like Python's `str`; `.` matches newlines like `(?s)`.
 */
export function fnmatchToRegExp(pattern: string): RegExp {
  return new RegExp(`^(?:${translateBody(pattern, { next: 1 })})$`, "su");
}

function translateBody(pattern: string, group: { next: number }): string {
  const pat = Array.from(pattern, (c) => c.codePointAt(0)!);
  const n = pat.length;
  const res: Piece[] = [];
  let i = 0;
  while (i < n) {
    const c = pat[i++];
    if (c === 0x2a /* * */) {
      if (res.length === 0 || res[res.length - 1] !== STAR) res.push(STAR);
    } else if (c === 0x3f /* ? */) {
      res.push(".");
    } else if (c === 0x5b /* [ */) {
      let j = i;
      if (j < n && pat[j] === 0x21 /* ! */) j++;
      if (j < n && pat[j] === 0x5d /* ] */) j++;
      while (j < n && pat[j] !== 0x5d) j++;
      if (j >= n) {
        res.push("\\[");
      } else {
        res.push(translateClass(pat, i, j));
        i = j + 1;
      }
    } else {
      res.push(literal(c));
    }
  }
  // Python turns `*fixed*` into an atomic lazy match; lookahead + backreference is the JS spelling,
  // which also keeps patterns like `*a*a*a*` from backtracking exponentially.
  let out = "";
  let k = 0;
  while (k < res.length && res[k] !== STAR) out += res[k++] as string;
  while (k < res.length) {
    k++; // the STAR
    if (k === res.length) {
      out += ".*";
      break;
    }
    let fixed = "";
    while (k < res.length && res[k] !== STAR) fixed += res[k++] as string;
    if (k === res.length) {
      out += ".*" + fixed;
    } else {
      const g = group.next++;
      out += `(?=(.*?${fixed}))\\${g}`;
    }
  }
  return out;
}

/**
 * The class `pat[start..end)` (between `[` and `]`). Python first rewrites it into a regex class string
 * (chunking around `-`, dropping reversed ranges, escaping); that string is rebuilt here as tokens and
 * read the way Python's `sre_parse` reads a class, so odd inputs (`[z-a]`, `[a-]`, `[!]`, `[]]`) agree.
 */
function translateClass(pat: number[], start: number, end: number): string {
  const HYPHEN = 0x2d;
  let hasHyphen = false;
  for (let x = start; x < end; x++) if (pat[x] === HYPHEN) hasHyphen = true;
  // Tokens of Python's class string: `escaped` chars are always literal; unescaped `-` are range operators.
  const tokens: { cp: number; escaped: boolean }[] = [];
  const pushChunk = (chunk: number[]) => {
    for (const cp of chunk) {
      const escaped = cp === 0x5c || (hasHyphen && cp === HYPHEN) || cp === 0x26 || cp === 0x7e || cp === 0x7c;
      tokens.push({ cp, escaped });
    }
  };
  if (!hasHyphen) {
    pushChunk(pat.slice(start, end));
  } else {
    const chunks: number[][] = [];
    let i = start;
    let k = pat[start] === 0x21 ? start + 2 : start + 1;
    for (;;) {
      let found = -1;
      for (let x = k; x < end; x++) {
        if (pat[x] === HYPHEN) {
          found = x;
          break;
        }
      }
      if (found < 0) break;
      chunks.push(pat.slice(i, found));
      i = found + 1;
      k = found + 3;
    }
    const last = pat.slice(i, end);
    if (last.length > 0) chunks.push(last);
    else chunks[chunks.length - 1].push(HYPHEN);
    for (let k2 = chunks.length - 1; k2 > 0; k2--) {
      const prev = chunks[k2 - 1];
      if (prev[prev.length - 1] > chunks[k2][0]) {
        chunks[k2 - 1] = prev.slice(0, -1).concat(chunks[k2].slice(1));
        chunks.splice(k2, 1);
      }
    }
    chunks.forEach((chunk, c) => {
      if (c > 0) tokens.push({ cp: HYPHEN, escaped: false });
      pushChunk(chunk);
    });
  }
  if (tokens.length === 0) return "(?!)";
  const first = tokens[0];
  if (tokens.length === 1 && first.cp === 0x21 && !first.escaped) return ".";
  let negate = false;
  if (first.cp === 0x21 && !first.escaped) {
    negate = true;
    tokens.shift();
  } else if (!first.escaped && (first.cp === 0x5e || first.cp === 0x5b)) {
    first.escaped = true;
  }
  let body = "";
  let p = 0;
  while (p < tokens.length) {
    const lo = tokens[p++].cp;
    const op = tokens[p];
    if (op && op.cp === HYPHEN && !op.escaped) {
      p++;
      const that = tokens[p++];
      if (!that) {
        body += classChar(lo) + classChar(HYPHEN);
        break;
      }
      if (that.cp < lo) throw new Error(`bad character range in pattern class`);
      body += `${classChar(lo)}-${classChar(that.cp)}`;
    } else {
      body += classChar(lo);
    }
  }
  return negate ? `[^${body}]` : `[${body}]`;
}

/** Python's `posixpath.join(a, b)` for two parts. */
function posixJoin(a: string, b: string): string {
  if (b.startsWith("/")) return b;
  if (a === "" || a.endsWith("/")) return a + b;
  return a + "/" + b;
}

const SPECIAL = /[*?[]/;

interface CompiledRule {
  exclude: boolean;
  /** True when the pattern is matched against the relative path alone (its root prefix is literal). */
  relative: boolean;
  /** The pattern to match (the remainder after the root prefix when `relative`). */
  pattern: string;
  regex: RegExp;
}

/** One anchored regex over several patterns: any of them matches. */
function alternation(patterns: string[]): RegExp {
  const group = { next: 1 };
  return new RegExp(`^(?:${patterns.map((p) => `(?:${translateBody(p, group)})`).join("|")})$`, "su");
}

/**
 * A predicate over `/`-separated relative paths: true when aws would leave the file out.
 * `joinRoot` is what aws joins patterns onto; `filePrefix` is what precedes the relative path in
 * the string aws matches.
 */
function compileMatcher(joinRoot: string, filePrefix: string, rules: FilterRule[]): (relPath: string) => boolean {
  const prefixIsLiteral = !SPECIAL.test(filePrefix);
  const compiled: CompiledRule[] = rules.map((rule) => {
    const joined = posixJoin(joinRoot, rule.pattern);
    const exclude = rule.type === "exclude";
    // A literal prefix translates to itself, so only the rest of the pattern needs matching.
    const relative = prefixIsLiteral && joined.startsWith(filePrefix);
    const pattern = relative ? joined.slice(filePrefix.length) : joined;
    return { exclude, relative, pattern, regex: fnmatchToRegExp(pattern) };
  });
  if (compiled.length === 0) return () => false;

  if (compiled.every((r) => r.exclude)) {
    // Excludes only: any match excludes, so fold them into (at most) two alternations.
    const relPatterns = compiled.filter((r) => r.relative).map((r) => r.pattern);
    const fullPatterns = compiled.filter((r) => !r.relative).map((r) => r.pattern);
    const rel = relPatterns.length ? alternation(relPatterns) : undefined;
    const full = fullPatterns.length ? alternation(fullPatterns) : undefined;
    if (rel && !full) return (p) => rel.test(p);
    return (p) => (rel !== undefined && rel.test(p)) || (full !== undefined && full.test(filePrefix + p));
  }

  return (p) => {
    let full: string | undefined;
    for (let i = compiled.length - 1; i >= 0; i--) {
      const r = compiled[i];
      const hit = r.relative ? r.regex.test(p) : r.regex.test((full ??= filePrefix + p));
      if (hit) return r.exclude;
    }
    return false;
  };
}

/**
 * True when `aws s3 sync <awsSourceArg(root)> …` with these `--exclude` patterns (in order) would
 * leave out the local file at `relPath` (`/`-separated, relative to root).
 */
export function createExcludeMatcher(root: string, patterns: string[]): (relPath: string) => boolean {
  return createRuleMatcher(
    root,
    patterns.map((pattern) => ({ type: "exclude", pattern })),
  );
}

/** Like createExcludeMatcher, for `--exclude`/`--include` rules in command-line order. */
export function createRuleMatcher(root: string, rules: FilterRule[]): (relPath: string) => boolean {
  const abs = awsSourceArg(root);
  // aws lists files under `abspath(src) + "/"` (so `//x` for the root `/`) but joins patterns onto abspath.
  return compileMatcher(abs, abs + "/", rules);
}

/**
 * The same rules as aws applies to the destination listing with `--delete` (which objects it may
 * delete): patterns joined onto `bucket/prefix`, matched against `bucket/key`. relPath is the key
 * relative to the prefix.
 */
export function createKeyRuleMatcher(
  bucket: string,
  prefix: string,
  rules: FilterRule[],
): (relPath: string) => boolean {
  const s3Root = prefix ? `${bucket}/${prefix}` : `${bucket}/`;
  const filePrefix = prefix ? `${bucket}/${prefix}/` : `${bucket}/`;
  return compileMatcher(s3Root, filePrefix, rules);
}

/**
 * A pattern that matches exactly this relative path: fnmatch has no escape character, so the special
 * characters go into one-character classes (`[` → `[[]`, `*` → `[*]`, `?` → `[?]`).
 */
export function escapeFnmatch(relPath: string): string {
  return relPath.replace(/[[*?]/g, (c) => `[${c}]`);
}
