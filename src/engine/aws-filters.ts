// The `--exclude`/`--include` rules one run gives `aws s3 sync`, and the two matchers that say what those very
// rules leave out: local files (for the scanner and the planner) and objects (which ones aws's `--delete`
// leaves alone, for the deletion count). All three come from one list, so the tool and aws agree on every
// file and key.
//
// How aws reads a rule (awscli/customizations/s3/filters.py): it joins the pattern onto the source root
// (`os.path.join(abspath(src), P)`) and onto the destination root (`bucket/prefix/P`), and tests every file of
// both sides against both; the last rule that matches decides. Local files are `<root>/<rel>`, objects
// `bucket/<key>`; an absolute pattern is left as it is by the join, so it can never match an object.
//
// The roots are joined raw. A local root holding `*`, `?` or `[` (`/Volumes/Music [old]`) turns every
// pattern into something else, so for such a root the rules are given three times over:
//   --exclude P              relative: exact on the S3 side; on the local side whatever the raw root makes of it…
//   --include <root'>/*      …which this undoes: absolute, it re-includes every local file and no object;
//   --exclude <root'>/P      absolute, the root escaped: exactly P on the local side, never an object.
// A prefix holding `*` or `[` cannot be mended that way (every pattern reaches keys through the raw prefix):
// it is refused (filters.ts prefixProblem).
import { SmartSyncError } from "./errors";
import {
  awsSourceArg,
  createKeyRuleMatcher,
  createRuleMatcher,
  escapeFnmatch,
  FNMATCH_SPECIAL,
  prefixProblem,
  TOOL_EXCLUDES,
  type FilterRule,
} from "./filters";
import type { SkippedEntry } from "./types";

export interface AwsFilterInput {
  /** The volume root, as the target gives it. */
  root: string;
  bucket: string;
  /** The prefix without leading or trailing `/`. */
  prefix: string;
  userExcludes: readonly string[];
  /** Relative paths aws must neither upload nor delete this run (both sides of moves waiting for a restore). */
  leaveAlone?: readonly string[];
  /** Relative folders aws must leave alone with everything below them (early-aws.ts). */
  leaveAloneFolders?: readonly string[];
  /**
   * Only these relative paths (a follow-up run): everything else is excluded first, and the rules above
   * still apply to these.
   */
  only?: readonly string[];
  /** What the scan skipped: their objects stay (aws would delete the object of an unreadable file). */
  skipped?: readonly SkippedEntry[];
}

export interface AwsFilters {
  /** What aws is given, in command-line order. */
  rules: FilterRule[];
  /** True when aws leaves out the local file at `<root>/<relPath>` (never uploads it). */
  isExcludedPath: (relPath: string) => boolean;
  /** True when aws leaves the object at `prefix/<relKey>` alone (never deletes it). */
  isExcludedKey: (relKey: string) => boolean;
}

export function awsFilters(input: AwsFilterInput): AwsFilters {
  const problem = prefixProblem(input.prefix);
  if (problem) {
    throw new SmartSyncError("CONFIG_INVALID", `The prefix "${input.prefix}" ${problem}.`, {
      hint: "Choose a prefix without those characters for this target.",
    });
  }
  const root = awsSourceArg(input.root);
  const rules = anchorToRoot(root, meantRules(input));
  return {
    rules,
    isExcludedPath: createRuleMatcher(root, rules),
    isExcludedKey: createKeyRuleMatcher(input.bucket, input.prefix, rules),
  };
}

/** The local side alone (`isExcludedPath` of awsFilters), where no bucket is at hand (Status, tools). */
export function localExcludeMatcher(root: string, userExcludes: readonly string[]): (relPath: string) => boolean {
  const abs = awsSourceArg(root);
  return createRuleMatcher(abs, anchorToRoot(abs, meantRules({ userExcludes })));
}

/** The rules as the user and the run mean them, relative to the root; later ones win. */
function meantRules(
  input: Pick<AwsFilterInput, "userExcludes" | "leaveAlone" | "leaveAloneFolders" | "only" | "skipped">,
): FilterRule[] {
  const only: FilterRule[] = input.only
    ? [exclude("*"), ...input.only.map((path): FilterRule => ({ type: "include", pattern: escapeFnmatch(path) }))]
    : [];
  return [
    ...only,
    ...input.userExcludes.map(exclude),
    ...TOOL_EXCLUDES.map(exclude),
    ...(input.leaveAlone ?? []).map((path) => exclude(escapeFnmatch(path))),
    ...(input.leaveAloneFolders ?? []).map((folder) => exclude(`${escapeFnmatch(folder)}/*`)),
    ...(input.skipped ?? []).flatMap((s) => skippedPatterns(s).map(exclude)),
  ];
}

/** The rules as aws must be given them so that they mean, below `root`, what they say (see the top). */
export function anchorToRoot(root: string, rules: readonly FilterRule[]): FilterRule[] {
  if (!FNMATCH_SPECIAL.test(root)) return [...rules];
  const escaped = escapeFnmatch(root);
  const absolute = (pattern: string) => (pattern.startsWith("/") ? pattern : `${escaped}/${pattern}`);
  return [
    ...rules,
    { type: "include", pattern: `${escaped}/*` },
    ...rules.map((rule) => ({ type: rule.type, pattern: absolute(rule.pattern) })),
  ];
}

function exclude(pattern: string): FilterRule {
  return { type: "exclude", pattern };
}

function skippedPatterns(skipped: SkippedEntry): string[] {
  switch (skipped.reason) {
    case "symlink-loop":
      return [`${escapeFnmatch(skipped.path)}/*`];
    case "invalid-utf8-name": {
      // aws-cli 1.x tries to upload a name that is not UTF-8 and fails the whole sync: leave it out, and
      // nothing else. Python reads each bad byte as a lone surrogate, which escapeFnmatch matches exactly.
      const pattern = escapeFnmatch(skipped.pythonPath ?? skipped.path);
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
