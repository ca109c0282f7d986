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
//   the pattern itself is absolute, where it equals the source form. So it is left out here. The other
//   way round, S3 objects are matched as `bucket/key`, which no absolute pattern can match.
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

/** Characters fnmatch reads as pattern syntax. */
export const FNMATCH_SPECIAL = /[*?[]/;

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
  // A pattern that starts with the prefix spelled literally (escaped where it holds pattern characters)
  // matches exactly that prefix, so only the rest of the pattern needs matching against the relative path.
  // Each escape is a whole class (`[[]`), so the rest is read the same alone as after it.
  const literalPrefix = escapeFnmatch(filePrefix);
  const compiled: CompiledRule[] = rules.map((rule) => {
    const joined = posixJoin(joinRoot, rule.pattern);
    const exclude = rule.type === "exclude";
    const relative = joined.startsWith(literalPrefix);
    const pattern = relative ? joined.slice(literalPrefix.length) : joined;
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
 * Why a key prefix cannot be given to aws, or undefined. aws joins every pattern onto `bucket/prefix` raw
 * to decide which objects `--delete` leaves alone, and no pattern reaches a key but through that join:
 * in a prefix, `*` widens every pattern and `[` starts a class that no key matches (excluded objects would
 * be deleted). `?` and `]` are harmless there: the prefix holds no `*` to shift what `?` lines up with,
 * and a `]` without a `[` before it is an ordinary character.
 */
export function prefixProblem(prefix: string): string | undefined {
  const found = [...new Set(prefix.match(/[*[]/g) ?? [])];
  if (found.length === 0) return undefined;
  return (
    `holds ${found.map((c) => `"${c}"`).join(" and ")}, which aws s3 sync reads as pattern syntax in the prefix of ` +
    `every exclude: excluded objects would no longer be safe from --delete. Use a prefix without "*" and "["`
  );
}

/**
 * One character class that matches exactly one lone surrogate (and NUL, which no path holds): how a byte
 * that is not valid UTF-8 reaches Python (surrogateescape). Written with the real characters U+0001,
 * U+D7FF, U+E000 and U+10FFFF, which are valid UTF-8 and so survive argv; fnmatch reads no escapes.
 */
export const SURROGATE_CLASS = "[!\u0001-\uD7FF\uE000-\u{10FFFF}]";

/**
 * A pattern that matches exactly this path and nothing else: fnmatch has no escape character, so the
 * special characters go into one-character classes (`[` → `[[]`, `*` → `[*]`, `?` → `[?]`), and each lone
 * surrogate (a byte of a name that is not valid UTF-8, see pythonPathFromBytes) into SURROGATE_CLASS.
 */
export function escapeFnmatch(path: string): string {
  return path.replace(/[[*?]|[\uD800-\uDFFF]/gu, (c) =>
    c === "[" || c === "*" || c === "?" ? `[${c}]` : SURROGATE_CLASS,
  );
}

/**
 * A name as Python (and so aws) reads it from the file system: UTF-8 decoded with `surrogateescape`, so
 * valid sequences become their characters and every other byte b becomes the lone surrogate U+DC00 + b.
 */
export function pythonPathFromBytes(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  while (i < bytes.length) {
    const length = validSequenceLength(bytes, i);
    if (length === 0) {
      out += String.fromCharCode(0xdc00 + bytes[i]);
      i++;
    } else {
      out += Buffer.from(bytes.subarray(i, i + length)).toString("utf8");
      i += length;
    }
  }
  return out;
}

/** Length of the well-formed UTF-8 sequence at `i` (Unicode table 3-7), or 0 when there is none. */
function validSequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}
