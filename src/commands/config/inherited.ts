// What a field of the target form left empty means: the value the config's `defaults |` line gives every
// target that does not set the option (the engine's inheritedOption, the merge the parser applies), else
// the built-in default. The form says which, so a user never takes a built-in default for the one that applies.
import { formatOptionValue, inheritedOption, type OptionKey, type ParsedConfig } from "../../engine/config";

/** The config's defaults line: its options as read, and as written. */
export type DefaultsLine = Pick<ParsedConfig, "defaults" | "writtenDefaults">;

/**
 * The defaults line's value for `key` as its dropdown items name it (`STANDARD_IA`, `false`); undefined when
 * it does not set it.
 */
export function inheritedText(key: OptionKey, line: DefaultsLine | undefined): string | undefined {
  const value = line && inheritedOption(line.defaults, key);
  return value === undefined ? undefined : formatOptionValue(key, value);
}

/**
 * A text field's placeholder: the defaults line's value as the line writes it, `~/bin/aws (from the defaults
 * line)`, else the built-in one.
 */
export function inheritedPlaceholder(key: OptionKey, builtIn: string, line: DefaultsLine | undefined): string {
  // What a target inherits is the defaults line's option (inheritedOption): its text is the line's.
  const text = line?.writtenDefaults[key];
  return text === undefined ? builtIn : `${text} (from the defaults line)`;
}

/**
 * A dropdown's empty item: `From the Defaults Line: Virtual-Hosted` (`label` names the value as the
 * dropdown's own items do), else the built-in title.
 */
export function inheritedItemTitle(
  key: OptionKey,
  builtIn: string,
  line: DefaultsLine | undefined,
  label: (text: string) => string = (text) => text,
): string {
  const text = inheritedText(key, line);
  return text === undefined ? builtIn : `From the Defaults Line: ${label(text)}`;
}
