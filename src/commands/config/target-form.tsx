// The target form of Edit Config: add, edit or duplicate one target. Each field is checked with the engine's
// zod schema for it, so the form and the config parser say the same thing about a bad value. The profile
// and region are dropdowns of what the user has (their AWS files, AWS's regions) that also take any name.
// The form starts from the line as written (`~/bin/aws`, `16777216`, `/photos/`), not as the parser
// resolves it, and a field the user leaves alone is written back with the line's own text.
import { Action, ActionPanel, Form, Icon, showToast, Toast, useNavigation } from "@raycast/api";
import { useCachedPromise } from "@raycast/utils";
import os from "node:os";
import { useState } from "react";
import type { z } from "zod";
import {
  ARCHIVED_MOVES,
  bucketNameSchema,
  endpointSchema,
  excludePatternSchema,
  localFolder,
  nameSchema,
  OPTION_FIELDS,
  OPTION_KEYS,
  optionTextSchemas,
  prefixSchema,
  profileSchema,
  regionSchema,
  splitList,
  STORAGE_CLASSES,
  type AsWritten,
  type OptionKey,
  type TargetInput,
  type WrittenOptions,
  type WrittenTarget,
} from "../../engine/config";
import { failureOf, showFailure } from "../lib/toast";
import {
  ADVANCED_KEYS,
  ADVANCED_TEXT,
  advancedInput,
  advancedProblems,
  advancedValues,
  choiceValue,
  hasAdvancedOptions,
  type AdvancedValues,
} from "./advanced-options";
import { AWS_REGIONS, readAwsProfiles } from "./aws-profiles";
import { inheritedItemTitle, inheritedPlaceholder, type DefaultsLine } from "./inherited";
import { saveTarget } from "./save";

export interface TargetFormValues extends AdvancedValues {
  localPath: string[];
  name: string;
  bucket: string;
  prefix: string;
  excludes: string;
  profile: string;
  region: string;
  endpoint: string;
  storageClass: string;
  archived: string;
  /** Whether the advanced options are shown; hidden ones keep their values. */
  advanced: boolean;
}

type TextField = Exclude<keyof TargetFormValues, "localPath" | "advanced">;
type Errors = Partial<Record<keyof TargetFormValues, string>>;

const OPTIONAL_FIELDS: Partial<Record<TextField, z.ZodType<unknown, string>>> = {
  name: nameSchema,
  prefix: prefixSchema,
  profile: profileSchema,
  region: regionSchema,
  endpoint: endpointSchema,
};

/** The option each field outside the advanced section sets. */
const FIELD_OPTIONS = {
  name: "name",
  profile: "profile",
  region: "region",
  endpoint: "endpoint",
  storageClass: "storage_class",
  archived: "archived",
} as const satisfies Partial<Record<TextField, OptionKey>>;

const FORM_OPTIONS = new Set<OptionKey>([...Object.values(FIELD_OPTIONS), ...ADVANCED_KEYS]);

/** The folder a config path names, as the parser resolves it (`~/music/.` → `/Users/me/music`). */
export function folderOf(localPath: string): string {
  return localFolder(localPath, os.homedir()) ?? localPath;
}

function problem(schema: z.ZodType<unknown, string>, value: string): string | undefined {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
}

export function validateTarget(values: TargetFormValues): Errors {
  const errors: Errors = {};
  if (!values.localPath[0]) errors.localPath = "Choose the folder to sync";
  const bucket = problem(bucketNameSchema, values.bucket.trim());
  if (bucket) errors.bucket = `Bucket name ${bucket}`;
  for (const [field, schema] of Object.entries(OPTIONAL_FIELDS) as [TextField, z.ZodType<unknown, string>][]) {
    const value = values[field].trim();
    const message = value === "" ? undefined : problem(schema, value);
    if (message) errors[field] = `${field[0]!.toUpperCase()}${field.slice(1)} ${message}`;
  }
  for (const pattern of splitList(values.excludes)) {
    const message = problem(excludePatternSchema, pattern);
    if (message) errors.excludes = `Pattern "${pattern}" ${message}`;
  }
  return { ...errors, ...advancedProblems(values) };
}

/**
 * Form values → the target line's input, and the line's own text for each field the user left alone (the
 * engine writes that text back where it still reads as the value: `16777216` is not rewritten as `16MiB`).
 * Options the form has no field for are kept from `initial`.
 */
export function toInput(
  values: TargetFormValues,
  initial?: WrittenTarget,
): { input: TargetInput; asWritten: AsWritten } {
  const picked = values.localPath[0] ?? "";
  const optional = (text: string) => text.trim() || undefined;
  const excludes = splitList(values.excludes);
  const start = initialValues(initial);
  const unchanged = (field: TextField) => values[field] === start[field];

  const kept: Record<string, unknown> = {};
  const written: WrittenOptions = {};
  for (const key of OPTION_KEYS) {
    const text = initial?.options[key];
    if (text === undefined || FORM_OPTIONS.has(key)) continue;
    kept[OPTION_FIELDS[key]] = optionTextSchemas[key].parse(text);
    written[key] = text;
  }
  for (const [field, key] of [...Object.entries(FIELD_OPTIONS), ...ADVANCED_KEYS.map((key) => [key, key])] as [
    TextField,
    OptionKey,
  ][]) {
    const text = initial?.options[key];
    if (text !== undefined && unchanged(field)) written[key] = text;
  }

  const input: TargetInput = {
    ...kept,
    // Keep the path as the user wrote it (`~/music/.`) when the picker still points at the same folder.
    localPath: initial && folderOf(initial.localPath) === folderOf(picked) ? initial.localPath : picked,
    bucket: values.bucket.trim(),
    prefix: optional(values.prefix),
    excludes: excludes.length ? excludes : undefined,
    name: optional(values.name),
    profile: optional(values.profile),
    region: optional(values.region),
    endpointUrl: optional(values.endpoint),
    storageClass: optional(values.storageClass) as TargetInput["storageClass"],
    archivedMoves: optional(values.archived) as TargetInput["archivedMoves"],
    ...advancedInput(values),
  };
  return {
    input,
    asWritten: {
      excludes: unchanged("excludes") ? initial?.excludes : undefined,
      options: written,
      order: initial && (Object.keys(initial.options) as OptionKey[]),
    },
  };
}

/** The fields as the line writes them; a dropdown shows the item its text names. */
function initialValues(initial?: WrittenTarget): TargetFormValues {
  const options = initial?.options ?? {};
  return {
    localPath: initial ? [folderOf(initial.localPath)] : [],
    name: options.name ?? "",
    bucket: initial?.bucket ?? "",
    prefix: initial?.prefix ?? "",
    excludes: initial?.excludes ?? "",
    profile: options.profile ?? "",
    region: options.region ?? "",
    endpoint: options.endpoint ?? "",
    storageClass: choiceValue("storage_class", options.storage_class),
    archived: choiceValue("archived", options.archived),
    ...advancedValues(options),
    advanced: hasAdvancedOptions(options),
  };
}

const STORAGE_CLASS_TEXT: Record<string, string> = {
  STANDARD: "Standard",
  REDUCED_REDUNDANCY: "Reduced Redundancy",
  STANDARD_IA: "Standard-IA (Infrequent Access)",
  ONEZONE_IA: "One Zone-IA",
  INTELLIGENT_TIERING: "Intelligent-Tiering",
  GLACIER: "Glacier Flexible Retrieval",
  DEEP_ARCHIVE: "Glacier Deep Archive",
  GLACIER_IR: "Glacier Instant Retrieval",
};

const ARCHIVED_TEXT: Record<(typeof ARCHIVED_MOVES)[number], string> = {
  wait: "Wait for a Restore (No Upload)",
  upload: "Upload the File Again",
};

const PATH_STYLE_TEXT: Record<string, string> = { true: "Path-Style", false: "Virtual-Hosted" };

const labelIn = (texts: Record<string, string>) => (value: string) => texts[value] ?? value;

/**
 * A dropdown of known values that also takes any name typed into its search field (Raycast's dropdowns
 * have no free text of their own): the typed text is offered as one more item.
 */
function FreeTextDropdown(props: {
  id: string;
  title: string;
  info?: string;
  emptyTitle: string;
  options: string[];
  value: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  const [search, setSearch] = useState("");
  const typed = search.trim();
  const extras = [...new Set([props.value, typed])].filter((v) => v && !props.options.includes(v));
  return (
    <Form.Dropdown
      id={props.id}
      title={props.title}
      info={props.info}
      value={props.value}
      error={props.error}
      onChange={props.onChange}
      onSearchTextChange={setSearch}
      filtering
      throttle
    >
      <Form.Dropdown.Item value="" title={props.emptyTitle} />
      {props.options.map((option) => (
        <Form.Dropdown.Item key={option} value={option} title={option} />
      ))}
      {extras.map((extra) => (
        <Form.Dropdown.Item key={`+${extra}`} value={extra} title={extra === props.value ? extra : `Use "${extra}"`} />
      ))}
    </Form.Dropdown>
  );
}

export function TargetForm(props: {
  configFile: string;
  title: string;
  /** The line the form starts from, as written (ConfigEntry.written); a new target starts empty. */
  initial?: WrittenTarget;
  /** The config line to replace; a new line is appended without it. */
  line?: number;
  /** The config's `defaults |` line: what a field left empty inherits, shown as its placeholder. */
  defaults?: DefaultsLine;
  onSaved: () => void;
}) {
  const { defaults } = props;
  const { pop } = useNavigation();
  const { data: profiles } = useCachedPromise(readAwsProfiles, []);
  const [values, setValues] = useState<TargetFormValues>(() => initialValues(props.initial));
  const [errors, setErrors] = useState<Errors>({});

  const field = <K extends keyof TargetFormValues>(id: K) => ({
    id,
    value: values[id],
    error: errors[id],
    onChange: (value: TargetFormValues[K]) => {
      setValues((current) => ({ ...current, [id]: value }));
      if (errors[id]) setErrors((current) => ({ ...current, [id]: undefined }));
    },
  });

  async function submit(submitted: TargetFormValues) {
    const merged = { ...values, ...submitted };
    const found = validateTarget(merged);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      // A problem in a hidden field is shown, not left behind a closed section.
      if (ADVANCED_KEYS.some((key) => found[key])) setValues((current) => ({ ...current, advanced: true }));
      return;
    }
    try {
      const { input, asWritten } = toInput(merged, props.initial);
      await saveTarget(props.configFile, input, props.line, asWritten);
    } catch (error) {
      await showFailure("Could Not Save Target", failureOf(error), { configFile: props.configFile });
      return;
    }
    await showToast({ style: Toast.Style.Success, title: "Target Saved", message: props.configFile });
    props.onSaved();
    pop();
  }

  return (
    <Form
      navigationTitle={props.title}
      isLoading={profiles === undefined}
      actions={
        <ActionPanel>
          <Action.SubmitForm title="Save Target" icon={Icon.Check} onSubmit={submit} />
        </ActionPanel>
      }
    >
      <Form.FilePicker
        title="Local Folder"
        info="The folder (usually a whole volume) mirrored to the bucket."
        allowMultipleSelection={false}
        canChooseDirectories
        canChooseFiles={false}
        {...field("localPath")}
      />
      <Form.TextField title="Bucket" placeholder="my-music-backup" {...field("bucket")} />
      <Form.TextField title="Prefix" placeholder="Empty for the bucket root" {...field("prefix")} />
      <Form.TextField
        title="Excludes"
        placeholder=".*, */.*"
        info='Comma-separated patterns, read as "aws s3 sync --exclude" reads them.'
        {...field("excludes")}
      />
      <Form.Separator />
      <Form.TextField title="Name" placeholder="The folder's name" {...field("name")} />
      <FreeTextDropdown
        title="AWS Profile"
        info="From ~/.aws/config and ~/.aws/credentials; type another name to use it."
        emptyTitle={inheritedItemTitle("profile", "Default Credentials", defaults)}
        options={profiles ?? []}
        {...field("profile")}
      />
      <FreeTextDropdown
        title="Region"
        info="The bucket's region; type another name for an S3-compatible store."
        emptyTitle={inheritedItemTitle("region", "From the Profile", defaults)}
        options={AWS_REGIONS}
        {...field("region")}
      />
      <Form.TextField
        title="Endpoint URL"
        placeholder={inheritedPlaceholder("endpoint", "https://s3.example.com (S3-compatible stores)", defaults)}
        {...field("endpoint")}
      />
      <Form.Dropdown
        title="Storage Class"
        info="For new uploads by aws; moved objects keep their own."
        {...field("storageClass")}
      >
        <Form.Dropdown.Item
          value=""
          title={inheritedItemTitle("storage_class", "Default (Standard)", defaults, labelIn(STORAGE_CLASS_TEXT))}
        />
        {STORAGE_CLASSES.map((c) => (
          <Form.Dropdown.Item key={c} value={c} title={STORAGE_CLASS_TEXT[c] ?? c} />
        ))}
      </Form.Dropdown>
      <Form.Dropdown
        title="Archived Objects"
        info="A renamed file whose old object is in Glacier or Deep Archive: wait for a restore, or upload it again."
        {...field("archived")}
      >
        <Form.Dropdown.Item
          value=""
          title={inheritedItemTitle("archived", "Default (Wait for a Restore)", defaults, labelIn(ARCHIVED_TEXT))}
        />
        {ARCHIVED_MOVES.map((a) => (
          <Form.Dropdown.Item key={a} value={a} title={ARCHIVED_TEXT[a]} />
        ))}
      </Form.Dropdown>
      <Form.Separator />
      <Form.Checkbox label="Show Advanced Options" {...field("advanced")} />
      {values.advanced ? (
        <>
          {ADVANCED_KEYS.map((key) =>
            key === "path_style" ? (
              <Form.Dropdown key={key} title={ADVANCED_TEXT[key].title} info={ADVANCED_TEXT[key].info} {...field(key)}>
                <Form.Dropdown.Item
                  value=""
                  title={inheritedItemTitle(
                    key,
                    `Default (${ADVANCED_TEXT[key].placeholder})`,
                    defaults,
                    labelIn(PATH_STYLE_TEXT),
                  )}
                />
                <Form.Dropdown.Item value="true" title={PATH_STYLE_TEXT.true} />
                <Form.Dropdown.Item value="false" title={PATH_STYLE_TEXT.false} />
              </Form.Dropdown>
            ) : (
              <Form.TextField
                key={key}
                {...ADVANCED_TEXT[key]}
                placeholder={inheritedPlaceholder(key, ADVANCED_TEXT[key].placeholder, defaults)}
                {...field(key)}
              />
            ),
          )}
        </>
      ) : null}
    </Form>
  );
}
