// The `--exclude` arguments one run gives `aws s3 sync`, and the matcher that says which objects those
// arguments keep aws's `--delete` away from. One list serves both, so the deletion count, the planner and
// aws agree on every key.
import { createKeyRuleMatcher, escapeFnmatch, TOOL_EXCLUDES } from "./filters";
import type { SkippedEntry } from "./types";

export interface AwsFilterInput {
  bucket: string;
  prefix: string;
  userExcludes: readonly string[];
  /** Relative paths aws must neither upload nor delete this run (both sides of moves waiting for a restore). */
  leaveAlone: readonly string[];
  /** What the scan skipped: their objects stay (aws would delete the object of an unreadable file). */
  skipped: readonly SkippedEntry[];
}

export interface AwsFilters {
  /** `--exclude` patterns, in order. */
  excludes: string[];
  /** True when aws leaves the object at `prefix/<relKey>` alone (never deletes it). */
  isExcludedKey: (relKey: string) => boolean;
}

export function awsFilters(input: AwsFilterInput): AwsFilters {
  const excludes = [
    ...input.userExcludes,
    ...TOOL_EXCLUDES,
    ...input.leaveAlone.map(escapeFnmatch),
    ...input.skipped.flatMap((s) => skippedPatterns(s)),
  ];
  const isExcludedKey = createKeyRuleMatcher(
    input.bucket,
    input.prefix,
    excludes.map((pattern) => ({ type: "exclude" as const, pattern })),
  );
  return { excludes, isExcludedKey };
}

function skippedPatterns(skipped: SkippedEntry): string[] {
  switch (skipped.reason) {
    case "symlink-loop":
      return [`${escapeFnmatch(skipped.path)}/*`];
    case "invalid-utf8-name": {
      // aws-cli 1.x tries to upload names that are not UTF-8 and fails the whole sync (exit 1): leave them
      // out. The decoded name has U+FFFD where bytes were invalid; `*` stands for them (Python sees surrogates).
      const pattern = escapeFnmatch(skipped.path).replace(/\uFFFD+/g, "*");
      return [pattern, `${pattern}/*`];
    }
    case "vanished":
      return [];
    default:
      // Unreadable files and folders, broken links, special files: aws skips them with a warning and then
      // deletes their objects as if the files were gone. The object is the only copy left: keep it.
      return [escapeFnmatch(skipped.path), `${escapeFnmatch(skipped.path)}/*`];
  }
}
