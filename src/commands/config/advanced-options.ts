// The options of a target line that the Edit Config form shows under "Show Advanced Options": each is typed
// as the config file writes it (`8MiB`, `30%`), shown as the line writes it, and read by the engine's own
// schema for that option, so the form, the file and the CLI agree on every value and every error.
import {
  formatOptionValue,
  OPTION_FIELDS,
  optionTextSchemas,
  type OptionKey,
  type TargetInput,
  type WrittenOptions,
} from "../../engine/config";

export const ADVANCED_KEYS = [
  "concurrency",
  "max_deletes",
  "max_delete_share",
  "aws_max_concurrent_requests",
  "aws_multipart_chunksize",
  "aws_cli",
  "path_style",
  "prove_min_size",
  "hash_budget",
  "part_size",
  "multipart_threshold",
] as const satisfies readonly OptionKey[];

export type AdvancedKey = (typeof ADVANCED_KEYS)[number];
export type AdvancedValues = Record<AdvancedKey, string>;

/**
 * Title, placeholder (the built-in default, what applies when neither the line nor the config's defaults line
 * sets the option; the dropdown's default item) and help of each field. The form shows the defaults line's
 * value instead where it sets one (./inherited.ts).
 */
export const ADVANCED_TEXT: Record<AdvancedKey, { title: string; placeholder: string; info: string }> = {
  concurrency: {
    title: "S3 Requests at Once",
    placeholder: "16",
    info: "Copies, deletes, listings and HEADs in flight at once for the moves (1 to 256).",
  },
  max_deletes: {
    title: "Deletion Cap",
    placeholder: "10000",
    info: "A sync that would delete more objects than this is refused until you confirm it.",
  },
  max_delete_share: {
    title: "Deletion Cap (Share)",
    placeholder: "50%",
    info: "A sync that would delete more than this share of the objects (once there are 20) is refused until you confirm it.",
  },
  aws_max_concurrent_requests: {
    title: "aws Uploads at Once",
    placeholder: "Your aws config's, else 10",
    info: "aws's max_concurrent_requests for this target (1 to 256); your own aws config file is not changed.",
  },
  aws_multipart_chunksize: {
    title: "aws Part Size",
    placeholder: "Your aws config's, else 8MiB",
    info: "aws's multipart_chunksize for this target (5MiB to 5GiB); your own aws config file is not changed.",
  },
  aws_cli: {
    title: "aws CLI",
    placeholder: "The extension's AWS CLI preference, else found",
    info: "The aws binary to run for this target (an absolute path or ~/…); empty: the AWS CLI preference, else /opt/homebrew/bin, /usr/local/bin or PATH.",
  },
  path_style: {
    title: "Addressing",
    placeholder: "Path-Style with an Endpoint URL",
    info: "How requests name the bucket, for the moves and for aws alike.",
  },
  prove_min_size: {
    title: "Smallest File to Prove",
    placeholder: "256KiB",
    info: "Files under this size are uploaded rather than hashed when a rename can only be proven by content.",
  },
  hash_budget: {
    title: "Hashing Budget per Run",
    placeholder: "64GiB",
    info: "Content proofs stop hashing once a run has read this much.",
  },
  part_size: {
    title: "Other Uploader's Part Size",
    placeholder: "8MiB, 5MiB and 16MiB are tried",
    info: "The part size of the tool that filled the bucket, tried when proving files it uploaded in parts.",
  },
  multipart_threshold: {
    title: "Multipart Copy Above",
    placeholder: "5GiB",
    info: "Moves of objects larger than this are copied in parts (S3 copies at most 5GiB at once).",
  },
};

/**
 * A dropdown's value for an option as the line writes it: the spelling its items use (`standard_ia` →
 * `STANDARD_IA`, `TRUE` → `true`); empty when the line does not set it.
 */
export function choiceValue(key: OptionKey, text: string | undefined): string {
  return text === undefined ? "" : formatOptionValue(key, optionTextSchemas[key].parse(text));
}

/** The target's own advanced options as the line writes them (empty where it does not set one). */
export function advancedValues(written?: WrittenOptions): AdvancedValues {
  const values = {} as AdvancedValues;
  for (const key of ADVANCED_KEYS) {
    values[key] = key === "path_style" ? choiceValue(key, written?.[key]) : (written?.[key] ?? "");
  }
  return values;
}

/** Whether the line sets any advanced option (the form then opens with them shown). */
export function hasAdvancedOptions(written?: WrittenOptions): boolean {
  return ADVANCED_KEYS.some((key) => written?.[key] !== undefined);
}

/** Each field's problem (the config parser's words after the field's title), by key. */
export function advancedProblems(values: AdvancedValues): Partial<Record<AdvancedKey, string>> {
  const problems: Partial<Record<AdvancedKey, string>> = {};
  for (const key of ADVANCED_KEYS) {
    const text = values[key].trim();
    if (text === "") continue;
    const result = optionTextSchemas[key].safeParse(text);
    if (!result.success)
      problems[key] = `${ADVANCED_TEXT[key].title} ${result.error.issues[0]?.message ?? "is not valid"}`;
  }
  return problems;
}

/** The fields as TargetInput options: an empty field removes its option from the line. */
export function advancedInput(values: AdvancedValues): Partial<TargetInput> {
  const input: Record<string, unknown> = {};
  for (const key of ADVANCED_KEYS) {
    const text = values[key].trim();
    input[OPTION_FIELDS[key]] = text === "" ? undefined : optionTextSchemas[key].parse(text);
  }
  return input as Partial<TargetInput>;
}
