// Writing targets back into the config text. Only the edited line changes: comments, blank lines,
// order, other lines' spacing and line endings stay as the user wrote them. On the edited line, a value the
// user did not change keeps its spelling (`aws_cli=~/bin/aws`, `16777216`, `.*,*/.*`): see AsWritten.

import { isDeepStrictEqual } from "node:util";
import type { z } from "zod";
import { SmartSyncError } from "../errors";
import { formatByteSize } from "./bytes";
import { classifyLine, DEFAULTS_KEYWORD, splitList } from "./lines";
import type { WrittenOptions } from "./parse";
import {
  defaultsInputSchema,
  OPTION_FIELDS,
  OPTION_KEYS,
  optionTextSchemas,
  targetInputSchema,
  type DefaultsInput,
  type OptionKey,
  type TargetInput,
} from "./schema";

/**
 * How the line being replaced wrote the excludes and options the user left alone (ConfigEntry.written):
 * each is written with that text when it still reads as the value given, instead of the value re-spelt
 * (`16777216` stays, not `16MiB`; `standard_ia`, not `STANDARD_IA`). The path, bucket and prefix are
 * written as given anyway.
 */
export interface AsWritten {
  excludes?: string;
  options?: WrittenOptions;
  /** The line's option keys in its own order (default: `options`' order): they stay there, new ones follow. */
  order?: readonly OptionKey[];
}

/**
 * One config line for a target, e.g. `/Volumes/Vault | bucket-vault | crates | .*, *\/.*`. Throws on bad input.
 */
export function formatTargetLine(input: TargetInput, asWritten: AsWritten = {}): string {
  const target = validated(targetInputSchema, input);
  const excludes = target.excludes ?? [];
  const writtenExcludes = asWritten.excludes;
  const cells = [
    target.localPath,
    target.bucket,
    target.prefix ?? "",
    keepsValue(writtenExcludes, /[|\r\n]/, (text) => isDeepStrictEqual(splitList(text), excludes))
      ? writtenExcludes
      : excludes.join(", "),
    formatOptions(target, asWritten.options, asWritten.order),
  ];
  while (cells.length > 2 && cells[cells.length - 1] === "") cells.pop();
  return joinCells(cells);
}

/** The defaults line for these options, or undefined when there are none. Throws on bad input. */
export function formatDefaultsLine(input: DefaultsInput): string | undefined {
  const options = formatOptions(validated(defaultsInputSchema, input));
  return options ? joinCells([DEFAULTS_KEYWORD, options]) : undefined;
}

/**
 * Replaces the target on 1-based `replaceLine`, or appends the target at the end when it is not given.
 * Throws when `replaceLine` is not a target line (the file changed since it was read).
 */
export function upsertTargetInText(
  text: string,
  target: TargetInput,
  replaceLine?: number,
  asWritten?: AsWritten,
): string {
  const line = formatTargetLine(target, asWritten);
  const lines = text.split("\n");
  if (replaceLine !== undefined) {
    requireKind(lines, replaceLine, "target");
    lines[replaceLine - 1] = withEnding(line, lines[replaceLine - 1]!);
    return lines.join("\n");
  }
  return appendLine(lines, line, text);
}

/** Removes the target on 1-based `line`; throws when that line is not a target. */
export function removeTargetFromText(text: string, line: number): string {
  const lines = text.split("\n");
  requireKind(lines, line, "target");
  lines.splice(line - 1, 1);
  return lines.join("\n");
}

/**
 * Sets the defaults line: replaces the existing one, or inserts it before the first target (after the
 * leading comments). Empty options remove the line.
 */
export function setDefaultsInText(text: string, defaults: DefaultsInput): string {
  const line = formatDefaultsLine(defaults);
  const lines = text.split("\n");
  const existing = lines.findIndex((lineText) => classifyLine(lineText) === "defaults");
  if (existing >= 0) {
    if (line === undefined) lines.splice(existing, 1);
    else lines[existing] = withEnding(line, lines[existing]!);
    return lines.join("\n");
  }
  if (line === undefined) return text;
  const firstTarget = lines.findIndex((lineText) => classifyLine(lineText) === "target");
  if (firstTarget < 0) return appendLine(lines, line, text);
  lines.splice(firstTarget, 0, withEnding(line, lines[firstTarget]!));
  return lines.join("\n");
}

function validated<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map(
    (issue) => `${issue.path.map(String).join(".") || "value"}: ${issue.message}`,
  );
  throw new SmartSyncError("CONFIG_INVALID", `Cannot write this target: ${details.join("; ")}.`, {
    hint: "Correct the fields and save again.",
  });
}

/** Options in the order the line wrote them, then any new ones in the config's documented order. */
function formatOptions(
  options: Record<string, unknown>,
  written: WrittenOptions = {},
  order: readonly OptionKey[] = Object.keys(written) as OptionKey[],
): string {
  const items: string[] = [];
  for (const key of new Set([...order, ...OPTION_KEYS])) {
    const value = options[OPTION_FIELDS[key]];
    if (value === undefined) continue;
    const text = written[key];
    const kept = keepsValue(text, /[|,\r\n]/, (candidate) => {
      const read = optionTextSchemas[key].safeParse(candidate);
      return read.success && isDeepStrictEqual(read.data, value);
    });
    items.push(`${key}=${kept ? text : formatOptionValue(key, value)}`);
  }
  return items.join(", ");
}

/**
 * Whether `text` can be written in place of a value: it reads as that value, and it cannot break the
 * line (no `separators`, no spaces at its ends, which the parser would split on or trim).
 */
function keepsValue(
  text: string | undefined,
  separators: RegExp,
  readsAsValue: (text: string) => boolean,
): text is string {
  return text !== undefined && text.trim() === text && !separators.test(text) && readsAsValue(text);
}

/** An option's value as the file writes it (`8MiB`, `30%`), the form shows it and `optionTextSchemas` reads it. */
export function formatOptionValue(key: OptionKey, value: unknown): string {
  switch (key) {
    case "multipart_threshold":
    case "prove_min_size":
    case "hash_budget":
    case "aws_multipart_chunksize":
      return formatByteSize(value as number);
    case "part_size":
      return formatByteSize((value as number[])[0]);
    case "max_delete_share":
      return `${Math.round((value as number) * 10_000) / 100}%`;
    default:
      return String(value);
  }
}

// Empty cells collapse to `| |` rather than `|  |`.
function joinCells(cells: string[]): string {
  return cells.reduce((line, cell) => (cell === "" ? `${line} |` : `${line} | ${cell}`));
}

/** Keeps a CRLF file CRLF: the replaced line gets the `\r` its predecessor had. */
function withEnding(line: string, replaced: string): string {
  return replaced.endsWith("\r") ? `${line}\r` : line;
}

function appendLine(lines: string[], line: string, text: string): string {
  const ending = text.includes("\r\n") ? "\r" : "";
  // A file without a final newline gets one before the new line; the result always ends with one.
  if (lines[lines.length - 1] !== "") {
    lines[lines.length - 1] += ending;
    lines.push("");
  }
  lines.splice(lines.length - 1, 0, line + ending);
  return lines.join("\n");
}

function requireKind(lines: string[], line: number, kind: "target"): void {
  const lineText = Number.isInteger(line) && line >= 1 ? lines[line - 1] : undefined;
  if (lineText === undefined || classifyLine(lineText) !== kind) {
    throw new SmartSyncError("CONFIG_INVALID", `Line ${line} of the config is not a target.`, {
      hint: "The config file changed since it was read: reload it and try again.",
    });
  }
}
