// The target form of Edit Config: add, edit or duplicate one target. Each field is checked with the engine's
// zod schema for it, so the form and the config parser say the same thing about a bad value.
import { Action, ActionPanel, Form, Icon, showToast, Toast, useNavigation } from "@raycast/api";
import { useState } from "react";
import type { z } from "zod";
import {
  bucketNameSchema,
  endpointSchema,
  excludePatternSchema,
  nameSchema,
  prefixSchema,
  profileSchema,
  regionSchema,
  type TargetInput,
} from "../../engine";
import { expandHome } from "../lib/preferences";
import { failureOf, showFailure } from "../lib/toast";
import { saveTarget } from "./save";

export interface TargetFormValues {
  localPath: string[];
  name: string;
  bucket: string;
  prefix: string;
  excludes: string;
  profile: string;
  region: string;
  endpoint: string;
}

type TextField = Exclude<keyof TargetFormValues, "localPath">;
type Errors = Partial<Record<keyof TargetFormValues, string>>;

const OPTIONAL_FIELDS: Partial<Record<TextField, z.ZodType<unknown, string>>> = {
  name: nameSchema,
  prefix: prefixSchema,
  profile: profileSchema,
  region: regionSchema,
  endpoint: endpointSchema,
};

/** The folder a config path names: `~` expanded, a trailing `/.` or `/` dropped. */
export function folderOf(localPath: string): string {
  const expanded = expandHome(localPath);
  return expanded.replace(/\/\.$/, "").replace(/(.)\/+$/, "$1");
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
  return errors;
}

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Form values → the target line's input; options the form does not show are kept from `initial`. */
export function toInput(values: TargetFormValues, initial?: TargetInput): TargetInput {
  const picked = values.localPath[0] ?? "";
  const optional = (text: string) => text.trim() || undefined;
  const excludes = splitList(values.excludes);
  return {
    ...initial,
    // Keep the path as the user wrote it (`~/music/.`) when the picker still points at the same folder.
    localPath: initial && folderOf(initial.localPath) === folderOf(picked) ? initial.localPath : picked,
    bucket: values.bucket.trim(),
    prefix: optional(values.prefix),
    excludes: excludes.length ? excludes : undefined,
    name: optional(values.name),
    profile: optional(values.profile),
    region: optional(values.region),
    endpointUrl: optional(values.endpoint),
  };
}

function initialValues(initial?: TargetInput): TargetFormValues {
  return {
    localPath: initial ? [folderOf(initial.localPath)] : [],
    name: initial?.name ?? "",
    bucket: initial?.bucket ?? "",
    prefix: initial?.prefix ?? "",
    excludes: (initial?.excludes ?? []).join(", "),
    profile: initial?.profile ?? "",
    region: initial?.region ?? "",
    endpoint: initial?.endpointUrl ?? "",
  };
}

export function TargetForm(props: {
  configFile: string;
  title: string;
  initial?: TargetInput;
  /** The config line to replace; a new line is appended without it. */
  line?: number;
  onSaved: () => void;
}) {
  const { pop } = useNavigation();
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
    if (Object.keys(found).length > 0) return;
    try {
      await saveTarget(props.configFile, toInput(merged, props.initial), props.line);
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
      <Form.TextField title="AWS Profile" placeholder="The default profile" {...field("profile")} />
      <Form.TextField title="Region" placeholder="eu-west-1" {...field("region")} />
      <Form.TextField
        title="Endpoint URL"
        placeholder="https://s3.example.com (S3-compatible stores)"
        {...field("endpoint")}
      />
    </Form>
  );
}
