// What a valid config value is, as zod schemas. The parser validates each cell and option with these,
// and the Raycast Edit Config form reuses them, so both say the same thing about a bad value.
// Issue messages are reasons ("must be …"); the parser prefixes the offending value.

import { z } from "zod";
import { prefixProblem } from "../filters";
import type { Target } from "../types";
import { parseByteSize } from "./bytes";

export const STORAGE_CLASSES = [
  "STANDARD",
  "REDUCED_REDUNDANCY",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER",
  "DEEP_ARCHIVE",
  "GLACIER_IR",
] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];

export const ARCHIVED_MOVES = ["wait", "upload"] as const;
export const MAX_CONCURRENCY = 256;
/** The largest object S3 copies in one CopyObject; above it, copies must be multipart. */
export const MAX_SINGLE_COPY_BYTES = 5 * 1024 ** 3;

/** Option keys as written in the file, and the Target field each one sets. */
export const OPTION_FIELDS = {
  name: "name",
  profile: "profile",
  region: "region",
  endpoint: "endpointUrl",
  path_style: "forcePathStyle",
  storage_class: "storageClass",
  archived: "archivedMoves",
  aws_cli: "awsCli",
  concurrency: "concurrency",
  multipart_threshold: "multipartCopyThreshold",
  prove_min_size: "proveMinSize",
  hash_budget: "hashBudget",
  part_size: "partSizes",
  max_deletes: "maxDeletes",
  max_delete_share: "maxDeleteShare",
  aws_max_concurrent_requests: "awsMaxConcurrentRequests",
  aws_multipart_chunksize: "awsMultipartChunksize",
} as const satisfies Record<string, keyof Target>;

export type OptionKey = keyof typeof OPTION_FIELDS;
export const OPTION_KEYS = Object.keys(OPTION_FIELDS) as OptionKey[];

type OptionField = (typeof OPTION_FIELDS)[OptionKey];
/** Per-target settings from the options column or the defaults line, as Target fields. */
export type TargetOptions = Partial<Pick<Target, OptionField>>;

type Reason = (value: string) => string | undefined;

function checked(reason: Reason) {
  return z.string().superRefine((value, ctx) => {
    const message = reason(value);
    if (message) ctx.addIssue({ code: "custom", message });
  });
}

const SPACES_AT_ENDS = "must not start or end with spaces";

function cellText(value: string, separators: RegExp, separatorNames: string): string | undefined {
  if (value === "") return "must not be empty";
  if (value.trim() !== value) return SPACES_AT_ENDS;
  if (separators.test(value)) return `must not contain ${separatorNames}`;
  return undefined;
}

/** S3 bucket naming rules for general purpose buckets (no legacy leniency). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be 3 to 63 characters long";
  if (!/^[a-z0-9.-]+$/.test(name)) return "may only contain lowercase letters, digits, dots and hyphens";
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return "must start and end with a letter or digit";
  if (name.includes("..")) return "must not contain two dots in a row";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return "must not be formatted as an IP address";
  for (const prefix of ["xn--", "sthree-", "amzn-s3-demo-"]) {
    if (name.startsWith(prefix)) return `must not start with "${prefix}" (reserved by S3)`;
  }
  for (const suffix of ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"]) {
    if (name.endsWith(suffix)) return `must not end with "${suffix}" (reserved by S3)`;
  }
  return undefined;
}

/** An absolute path or one under `~/`; `~user` forms are not expanded. */
export function isAbsoluteOrHome(value: string): boolean {
  return value.startsWith("/") || value === "~" || value.startsWith("~/");
}

export const bucketNameSchema = checked(bucketNameProblem);

export const localPathSchema = checked((value) => {
  const text = cellText(value, /[|\r\n]/, '"|" or line breaks');
  if (text) return text;
  if (!isAbsoluteOrHome(value)) return "must be absolute (start with / or ~/)";
  return undefined;
});

export const prefixSchema = checked((value) => {
  if (value === "") return undefined;
  return cellText(value, /[|\r\n]/, '"|" or line breaks') ?? prefixProblem(value);
});

export const excludePatternSchema = checked((value) => cellText(value, /[|,\r\n]/, '"|", "," or line breaks'));

// Option values share the options column with `,` and `|`; `=` is fine after the first one.
const OPTION_SEPARATORS = /[|,\r\n]/;
const OPTION_SEPARATOR_NAMES = '"|", "," or line breaks';

export const nameSchema = checked((value) => cellText(value, OPTION_SEPARATORS, OPTION_SEPARATOR_NAMES));

export const profileSchema = checked((value) =>
  /^[^\s|,=]+$/.test(value) ? undefined : 'must be a profile name without spaces, "|", "," or "="',
);

export const regionSchema = checked((value) =>
  /^[a-z0-9]+(-[a-z0-9]+)*$/i.test(value) ? undefined : "must be a region name like eu-west-1",
);

export const endpointSchema = checked((value) => {
  const problem = "must be an http:// or https:// URL";
  if (OPTION_SEPARATORS.test(value) || /\s/.test(value)) return problem;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? undefined : problem;
  } catch {
    return problem;
  }
});

export const awsCliSchema = checked((value) => {
  const text = cellText(value, OPTION_SEPARATORS, OPTION_SEPARATOR_NAMES);
  if (text) return text;
  return isAbsoluteOrHome(value) ? undefined : "must be an absolute path (start with / or ~/)";
});

export const storageClassSchema = z.enum(STORAGE_CLASSES, {
  error: `must be one of ${STORAGE_CLASSES.join(", ")}`,
});

export const archivedMovesSchema = z.enum(ARCHIVED_MOVES, {
  error: 'must be "wait" or "upload"',
});

const CONCURRENCY_PROBLEM = `must be a whole number from 1 to ${MAX_CONCURRENCY}`;
export const concurrencySchema = z
  .number({ error: CONCURRENCY_PROBLEM })
  .int({ error: CONCURRENCY_PROBLEM })
  .min(1, { error: CONCURRENCY_PROBLEM })
  .max(MAX_CONCURRENCY, { error: CONCURRENCY_PROBLEM });

const THRESHOLD_PROBLEM = "must be from 1 byte to 5GiB (the largest single copy S3 allows)";
export const multipartThresholdSchema = z
  .number({ error: THRESHOLD_PROBLEM })
  .int({ error: THRESHOLD_PROBLEM })
  .min(1, { error: THRESHOLD_PROBLEM })
  .max(MAX_SINGLE_COPY_BYTES, { error: THRESHOLD_PROBLEM });

const SIZE_PROBLEM = "must be a size in bytes, like 5GiB, 8MiB or 1048576";
/** A size of 0 bytes or more (proof floor, hashing budget). */
export const byteSizeSchema = z
  .number({ error: SIZE_PROBLEM })
  .int({ error: SIZE_PROBLEM })
  .min(0, { error: SIZE_PROBLEM });
const PART_SIZE_PROBLEM = "must be a multipart part size from 5MiB to 5GiB";
/** A multipart part size S3 accepts. */
export const partSizeSchema = z
  .number({ error: PART_SIZE_PROBLEM })
  .int({ error: PART_SIZE_PROBLEM })
  .min(5 * 1024 ** 2, { error: PART_SIZE_PROBLEM })
  .max(5 * 1024 ** 3, { error: PART_SIZE_PROBLEM });
/** Another uploader's multipart part size, tried when proving multipart ETags. */
export const partSizesSchema = z.array(partSizeSchema);

const MAX_DELETES_PROBLEM = "must be a whole number of objects, 0 or more";
export const maxDeletesSchema = z
  .number({ error: MAX_DELETES_PROBLEM })
  .int({ error: MAX_DELETES_PROBLEM })
  .min(0, { error: MAX_DELETES_PROBLEM });

const SHARE_PROBLEM = "must be a percentage from 0% to 100%, like 50%";
/** A share of the prefix's objects, 0–1 (written as a percentage in the file). */
export const maxDeleteShareSchema = z
  .number({ error: SHARE_PROBLEM })
  .min(0, { error: SHARE_PROBLEM })
  .max(1, { error: SHARE_PROBLEM });

/** Typed options, as the form edits them (Target field names). */
export const targetOptionsSchema = z.object({
  name: nameSchema.optional(),
  profile: profileSchema.optional(),
  region: regionSchema.optional(),
  endpointUrl: endpointSchema.optional(),
  forcePathStyle: z.boolean().optional(),
  storageClass: storageClassSchema.optional(),
  archivedMoves: archivedMovesSchema.optional(),
  awsCli: awsCliSchema.optional(),
  concurrency: concurrencySchema.optional(),
  multipartCopyThreshold: multipartThresholdSchema.optional(),
  proveMinSize: byteSizeSchema.optional(),
  hashBudget: byteSizeSchema.optional(),
  partSizes: partSizesSchema.optional(),
  maxDeletes: maxDeletesSchema.optional(),
  maxDeleteShare: maxDeleteShareSchema.optional(),
  awsMaxConcurrentRequests: concurrencySchema.optional(),
  awsMultipartChunksize: partSizeSchema.optional(),
});

/** The defaults line takes every option but `name`, which names one target. */
export const defaultsInputSchema = targetOptionsSchema.omit({ name: true });
export type DefaultsInput = z.input<typeof defaultsInputSchema>;

/** One target as the Edit Config form submits it: a Target without `source`, paths as the user wrote them. */
export const targetInputSchema = targetOptionsSchema.extend({
  localPath: localPathSchema,
  bucket: bucketNameSchema,
  prefix: prefixSchema.optional(),
  excludes: z.array(excludePatternSchema).optional(),
});
export type TargetInput = z.input<typeof targetInputSchema>;

function lowerCase(value: string): string {
  return value.toLowerCase();
}

/** A size as written in the file (`8MiB`, `5GB`, `1048576`) → bytes. */
function byteSizeText() {
  return z.string().transform((value, ctx) => {
    const bytes = parseByteSize(value);
    if (bytes === undefined) {
      ctx.addIssue({ code: "custom", message: SIZE_PROBLEM });
      return z.NEVER;
    }
    return bytes;
  });
}

/** A count of requests at once as written in the file → a number from 1 to MAX_CONCURRENCY. */
function concurrencyText() {
  return z.string().regex(/^\d+$/, { error: CONCURRENCY_PROBLEM }).transform(Number).pipe(concurrencySchema);
}

/** Option values as written in the file (strings) → typed Target field values. */
export const optionTextSchemas = {
  name: nameSchema,
  profile: profileSchema,
  region: regionSchema,
  endpoint: endpointSchema,
  path_style: z
    .string()
    .transform(lowerCase)
    .pipe(z.enum(["true", "false"], { error: "must be true or false" }))
    .transform((value) => value === "true"),
  storage_class: z
    .string()
    .transform((value) => value.toUpperCase())
    .pipe(storageClassSchema),
  archived: z.string().transform(lowerCase).pipe(archivedMovesSchema),
  aws_cli: awsCliSchema,
  concurrency: concurrencyText(),
  prove_min_size: byteSizeText().pipe(byteSizeSchema),
  hash_budget: byteSizeText().pipe(byteSizeSchema),
  part_size: byteSizeText()
    .transform((value) => [value])
    .pipe(partSizesSchema),
  multipart_threshold: byteSizeText().pipe(multipartThresholdSchema),
  max_deletes: z.string().regex(/^\d+$/, { error: MAX_DELETES_PROBLEM }).transform(Number).pipe(maxDeletesSchema),
  max_delete_share: z
    .string()
    .regex(/^\d+(\.\d+)?%$/, { error: SHARE_PROBLEM })
    .transform((value) => Number(value.slice(0, -1)) / 100)
    .pipe(maxDeleteShareSchema),
  aws_max_concurrent_requests: concurrencyText(),
  aws_multipart_chunksize: byteSizeText().pipe(partSizeSchema),
} satisfies Record<OptionKey, z.ZodType<unknown, string>>;
