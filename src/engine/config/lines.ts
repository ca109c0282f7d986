// The config is line-based: one record per line, cells separated by `|`. Parsing and writing back both
// classify lines the same way here, so a line number means the same thing to both.

export type LineKind = "blank" | "comment" | "defaults" | "target";

/** The word in the first column that makes a line the global defaults line. */
export const DEFAULTS_KEYWORD = "defaults";

/** Column names, in order, for messages and the sample. */
export const COLUMNS = ["local_path", "bucket", "prefix", "excludes", "options"] as const;

export function classifyLine(text: string): LineKind {
  const trimmed = text.trim();
  if (trimmed === "") return "blank";
  // `#` is a comment only at the start of a line: excludes may contain it.
  if (trimmed.startsWith("#")) return "comment";
  if (splitCells(trimmed)[0] === DEFAULTS_KEYWORD) return "defaults";
  return "target";
}

export function splitCells(text: string): string[] {
  return text.split("|").map((cell) => cell.trim());
}

/** Comma-separated items with the whitespace around them removed; empty items (trailing commas) dropped. */
export function splitList(cell: string): string[] {
  return cell
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}
