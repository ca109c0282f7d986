// Config text → targets + every problem found, each tied to its line. Never throws: the CLI turns
// problems into a ConfigError, the Raycast form shows them next to the file.
//
// Decisions:
// - The `defaults | key=value, …` line applies to every target wherever it sits; a target's own
//   options win. Only one defaults line.
// - A local path may appear once: the volume's state DB remembers one bucket/prefix.
// - Two targets may not share a name (front ends pick targets by name) nor overlapping destinations
//   (same or nested bucket/prefix at the same endpoint): each `sync --delete` would delete the other's objects.
// - Nor nested local paths (one target's folder inside another's): the outer sync would upload the inner
//   target's files a second time, its state DB and its logs, and the two runs would not see each other's lock.
// - A prefix aws cannot be given safely (`*`, `[`: see filters.ts prefixProblem) is refused.

import os from "node:os";
import path from "node:path";
import { prefixProblem } from "../filters";
import type { Target } from "../types";
import { COLUMNS, classifyLine, DEFAULTS_KEYWORD, splitCells, splitList } from "./lines";
import {
  bucketNameProblem,
  isAbsoluteOrHome,
  OPTION_FIELDS,
  OPTION_KEYS,
  optionTextSchemas,
  type OptionKey,
  type TargetInput,
  type TargetOptions,
} from "./schema";

export interface ConfigProblem {
  file: string;
  /** 1-based line number. */
  line: number;
  message: string;
}

export interface ParsedConfig {
  file: string;
  /** Targets of the lines without problems, in file order, defaults applied. */
  targets: Target[];
  defaults: TargetOptions;
  /** The defaults line's option values as written (`aws_cli=~/bin/aws`, `16777216`), what `defaults` was read from. */
  writtenDefaults: WrittenOptions;
  /**
   * Each target's own line (only its own options), parallel to `targets`: what the Edit Config form starts
   * from, so saving does not copy the defaults into the line.
   */
  entries: ConfigEntry[];
  /** Sorted by line. */
  problems: ConfigProblem[];
}

export interface ConfigEntry {
  line: number;
  /** The line's values, read but not resolved: `~` unexpanded, no defaults. */
  input: TargetInput;
  /** The line's text, cell by cell and option by option: what the user wrote, for a form to show and keep. */
  written: WrittenTarget;
}

/** Option values as written in the file (trimmed), by key: `{ aws_cli: "~/bin/aws", concurrency: "08" }`. */
export type WrittenOptions = Partial<Record<OptionKey, string>>;

/** A target line's cells as written (trimmed): `~/Pictures/.`, `/photos/`, `.*,*\/.*`, and its options. */
export interface WrittenTarget {
  localPath: string;
  bucket: string;
  prefix: string;
  excludes: string;
  options: WrittenOptions;
}

interface SourceLine {
  line: number;
  /** Undefined when the line's bytes are not valid UTF-8. */
  text?: string;
}

/** A target line before the defaults (which may come later in the file) are applied. */
interface Draft {
  line: number;
  localPath: string;
  bucket: string;
  prefix: string;
  excludes: string[];
  /** The line's own options, `~` in aws_cli unexpanded. */
  options: TargetOptions;
  written: WrittenTarget;
}

const COLUMN_LIST = COLUMNS.join(" | ");

export function parseConfig(text: string | Uint8Array, file: string, env: { home?: string } = {}): ParsedConfig {
  const home = env.home ?? os.homedir();
  const problems: ConfigProblem[] = [];
  const report = (line: number, message: string) => problems.push({ file, line, message });

  const drafts: Draft[] = [];
  let defaults: TargetOptions = {};
  let writtenDefaults: WrittenOptions = {};
  let defaultsLine: number | undefined;

  for (const { line, text: lineText } of toLines(text)) {
    if (lineText === undefined) {
      report(line, "not valid UTF-8: save the file as UTF-8");
      continue;
    }
    const kind = classifyLine(lineText);
    if (kind === "defaults") {
      if (defaultsLine !== undefined) {
        report(line, `defaults already given on line ${defaultsLine}`);
        continue;
      }
      defaultsLine = line;
      ({ options: defaults, written: writtenDefaults } = parseDefaultsLine(lineText, line, report));
      defaults = withHome(defaults, home);
    } else if (kind === "target") {
      const draft = parseTargetLine(lineText, line, home, report);
      if (draft) drafts.push(draft);
    }
  }

  const targets = resolveTargets(drafts, defaults, file, home, report);
  const entries = targets.map((target) => toEntry(drafts.find((draft) => draft.line === target.source!.line)!));
  problems.sort((a, b) => a.line - b.line);
  return { file, targets, defaults, writtenDefaults, entries, problems };
}

function toLines(text: string | Uint8Array): SourceLine[] {
  if (typeof text === "string") {
    return text
      .replace(/^\uFEFF/, "")
      .split("\n")
      .map((lineText, index) => ({ line: index + 1, text: lineText }));
  }
  // 0x0A never occurs inside a multi-byte UTF-8 sequence, so splitting bytes on it is safe.
  const lines: SourceLine[] = [];
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let start = 0;
  for (let index = 0; index <= text.length; index++) {
    if (index < text.length && text[index] !== 0x0a) continue;
    let lineText: string | undefined;
    try {
      // The decoder drops a BOM, which only the first line can have.
      lineText = decoder.decode(text.subarray(start, index));
    } catch {
      lineText = undefined;
    }
    lines.push({ line: lines.length + 1, text: lineText });
    start = index + 1;
  }
  return lines;
}

type Report = (line: number, message: string) => void;

function parseDefaultsLine(lineText: string, line: number, report: Report): ParsedOptions {
  const cells = splitCells(lineText);
  if (cells.length > 2) {
    report(line, `too many columns: the defaults line is "${DEFAULTS_KEYWORD} | key=value, …"`);
  }
  return parseOptions(cells[1] ?? "", line, report, true);
}

function parseTargetLine(lineText: string, line: number, home: string, report: Report): Draft | undefined {
  const cells = splitCells(lineText);
  let ok = true;
  const fail = (message: string) => {
    report(line, message);
    ok = false;
  };
  if (cells.length > COLUMNS.length) {
    fail(`too many columns: ${cells.length} (at most ${COLUMNS.length}: ${COLUMN_LIST})`);
  }
  const [rawPath = "", bucket = "", rawPrefix = "", rawExcludes = "", rawOptions = ""] = cells;

  const localPath = resolveLocalPath(rawPath, home);
  if (localPath.problem) fail(localPath.problem);

  const prefix = rawPrefix.replace(/^\/+|\/+$/g, "");
  const problem = prefixProblem(prefix);
  if (problem) fail(`prefix "${rawPrefix}" ${problem}`);

  if (bucket === "") {
    fail(`missing bucket (columns: ${COLUMN_LIST})`);
  } else {
    const problem = bucketNameProblem(bucket);
    if (problem) fail(`bad bucket name "${bucket}": ${problem}`);
  }

  const excludes = splitList(rawExcludes);
  for (const pattern of excludes) {
    if (looksLikeOption(pattern)) {
      fail(`exclude "${pattern}" looks like an option: options go in the 5th column (leave columns empty with "| |")`);
    }
  }

  const { options, written } = parseOptions(rawOptions, line, (_line, message) => fail(message));
  if (!ok || !localPath.path) return undefined;
  return {
    line,
    localPath: localPath.path,
    bucket,
    // Keys never start with `/`: `s3://b/p` and `s3://b/p/` both mean prefix `p`.
    prefix,
    excludes,
    options,
    written: { localPath: rawPath, bucket, prefix: rawPrefix, excludes: rawExcludes, options: written },
  };
}

function looksLikeOption(pattern: string): boolean {
  const eq = pattern.indexOf("=");
  return eq > 0 && (OPTION_KEYS as string[]).includes(pattern.slice(0, eq).trim());
}

/** `~` and `~/…` under `home`, as the shell (and botocore, for AWS_CONFIG_FILE) expand them. */
export function expandHome(value: string, home: string): string {
  return value === "~" || value.startsWith("~/") ? home + value.slice(1) : value;
}

/**
 * The folder a local path cell names, as its target gets it (`~` expanded, `.` segments, doubled and trailing
 * slashes dropped: `~/music/.` → `/Users/me/music`); undefined when the cell names no folder.
 */
export function localFolder(raw: string, home: string): string | undefined {
  return resolveLocalPath(raw, home).path;
}

function resolveLocalPath(raw: string, home: string): { path?: string; problem?: string } {
  if (raw === "") return { problem: "missing local path" };
  if (raw.startsWith("~") && !isAbsoluteOrHome(raw)) {
    return {
      problem: `local path "${raw}": only ~ and ~/… are expanded; write the full path`,
    };
  }
  if (!isAbsoluteOrHome(raw))
    return {
      problem: `local path "${raw}" is relative: it must start with / or ~/`,
    };
  // normalize drops `.` segments and doubled slashes: `/Volumes/Vault/.` → `/Volumes/Vault/`.
  const normalized = path.posix.normalize(expandHome(raw, home));
  return {
    path: normalized.length > 1 ? normalized.replace(/\/+$/, "") : normalized,
  };
}

interface ParsedOptions {
  /** As read: `~` in aws_cli unexpanded (see withHome). */
  options: TargetOptions;
  /** The text of each option read. */
  written: WrittenOptions;
}

function parseOptions(cell: string, line: number, report: Report, isDefaults = false): ParsedOptions {
  const options: Record<string, unknown> = {};
  const written: WrittenOptions = {};
  const seen = new Set<string>();
  for (const item of splitList(cell)) {
    const eq = item.indexOf("=");
    if (eq < 0) {
      report(line, `option "${item}" is not key=value`);
      continue;
    }
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (!(OPTION_KEYS as string[]).includes(key)) {
      report(line, `unknown option "${key}" (known: ${OPTION_KEYS.join(", ")})`);
      continue;
    }
    const optionKey = key as OptionKey;
    if (seen.has(key)) {
      report(line, `option ${key} given twice`);
      continue;
    }
    seen.add(key);
    if (isDefaults && optionKey === "name") {
      report(line, "name cannot be a default: it names one target");
      continue;
    }
    if (value === "") {
      report(line, `option ${key} has no value`);
      continue;
    }
    const parsed = optionTextSchemas[optionKey].safeParse(value);
    if (!parsed.success) {
      report(line, `bad ${key} "${value}": ${parsed.error.issues[0]?.message ?? "invalid value"}`);
      continue;
    }
    options[OPTION_FIELDS[optionKey]] = parsed.data;
    written[optionKey] = value;
  }
  return { options: options as TargetOptions, written };
}

/** Options as a run uses them: `~` in aws_cli expanded. */
function withHome(options: TargetOptions, home: string): TargetOptions {
  return options.awsCli === undefined ? options : { ...options, awsCli: expandHome(options.awsCli, home) };
}

function resolveTargets(
  drafts: Draft[],
  defaults: TargetOptions,
  file: string,
  home: string,
  report: Report,
): Target[] {
  const byPath = new Map<string, number>();
  const byName = new Map<string, number>();
  const destinations: {
    endpoint: string;
    bucket: string;
    prefix: string;
    line: number;
  }[] = [];
  const targets: Target[] = [];

  for (const draft of drafts) {
    const options = applyDefaults(defaults, withHome(draft.options, home));
    const name = options.name ?? (path.posix.basename(draft.localPath) || draft.localPath);
    let ok = true;
    const fail = (message: string) => {
      report(draft.line, message);
      ok = false;
    };

    const pathLine = byPath.get(draft.localPath);
    if (pathLine !== undefined) {
      // Same folder twice: its name and destination clash too, but one message says it all.
      report(draft.line, `local path already used by line ${pathLine}`);
      continue;
    }
    for (const [other, otherLine] of byPath) {
      const relation = isInside(draft.localPath, other)
        ? "is inside"
        : isInside(other, draft.localPath)
          ? "contains"
          : "";
      if (relation)
        fail(
          `local path ${draft.localPath} ${relation} ${other} of line ${otherLine}: one target's folder may not be ` +
            `inside another's (the outer sync would upload the inner one's files and state DB again)`,
        );
    }
    byPath.set(draft.localPath, draft.line);

    const nameLine = byName.get(name);
    if (nameLine !== undefined) {
      fail(`name "${name}" already used by line ${nameLine} (set a different name=…)`);
    } else byName.set(name, draft.line);

    const endpoint = options.endpointUrl ?? "";
    const overlap = destinations.find(
      (other) => other.endpoint === endpoint && other.bucket === draft.bucket && nested(other.prefix, draft.prefix),
    );
    if (overlap) {
      fail(
        `${s3Url(draft.bucket, draft.prefix)} overlaps ${s3Url(overlap.bucket, overlap.prefix)} of line ${overlap.line}: each sync --delete would delete the other's objects`,
      );
    } else
      destinations.push({
        endpoint,
        bucket: draft.bucket,
        prefix: draft.prefix,
        line: draft.line,
      });

    if (!ok) continue;
    const target: Target = {
      ...options,
      name,
      localPath: draft.localPath,
      bucket: draft.bucket,
      prefix: draft.prefix,
      excludes: draft.excludes,
      source: { file, line: draft.line },
    };
    if (target.endpointUrl && target.forcePathStyle === undefined) target.forcePathStyle = true;
    targets.push(target);
  }
  return targets;
}

/**
 * A target's options: the defaults line's, with the target's own on top (they win). The one place the merge
 * is written: targets are resolved with it, and the Edit Config form asks `inheritedOption` what a field
 * left empty means.
 */
export function applyDefaults(defaults: TargetOptions, own: TargetOptions): TargetOptions {
  return { ...defaults, ...own };
}

/**
 * What a target whose line does not set `key` gets from the defaults line; undefined when the defaults line
 * does not set it either (the built-in default applies: for `path_style`, path-style with an endpoint).
 */
export function inheritedOption<K extends OptionKey>(
  defaults: TargetOptions,
  key: K,
): TargetOptions[(typeof OPTION_FIELDS)[K]] {
  return applyDefaults(defaults, {})[OPTION_FIELDS[key]];
}

function toEntry(draft: Draft): ConfigEntry {
  return {
    line: draft.line,
    input: {
      ...(draft.options as Omit<TargetInput, "localPath" | "bucket">),
      localPath: draft.written.localPath,
      bucket: draft.bucket,
      prefix: draft.prefix,
      excludes: draft.excludes,
    },
    written: draft.written,
  };
}

/** `inner` is a folder below `outer` (both normalised, absolute). */
function isInside(inner: string, outer: string): boolean {
  return inner !== outer && (outer === "/" || inner.startsWith(`${outer}/`));
}

function nested(a: string, b: string): boolean {
  return a === b || a === "" || b === "" || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

function s3Url(bucket: string, prefix: string): string {
  return prefix ? `s3://${bucket}/${prefix}` : `s3://${bucket}`;
}
