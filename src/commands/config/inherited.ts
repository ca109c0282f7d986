// What a field of the target form left empty means: the value the config's `defaults |` line gives every
// target that does not set the option (the engine's inheritedOption, the merge the parser applies), else
// the built-in default. The form says which, so a user never takes a built-in default for the one that applies.
import { formatOptionValue, inheritedOption, type OptionKey, type TargetOptions } from "../../engine/config";

/** The defaults line's value for `key` as the file writes it (`32`, `8MiB`); undefined when it does not set it. */
export function inheritedText(key: OptionKey, defaults: TargetOptions | undefined): string | undefined {
  const value = defaults && inheritedOption(defaults, key);
  return value === undefined ? undefined : formatOptionValue(key, value);
}

/** A text field's placeholder: `32 (from the defaults line)`, else the built-in one. */
export function inheritedPlaceholder(key: OptionKey, builtIn: string, defaults: TargetOptions | undefined): string {
  const text = inheritedText(key, defaults);
  return text === undefined ? builtIn : `${text} (from the defaults line)`;
}

/**
 * A dropdown's empty item: `From the Defaults Line: Virtual-Hosted` (`label` names the value as the
 * dropdown's own items do), else the built-in title.
 */
export function inheritedItemTitle(
  key: OptionKey,
  builtIn: string,
  defaults: TargetOptions | undefined,
  label: (text: string) => string = (text) => text,
): string {
  const text = inheritedText(key, defaults);
  return text === undefined ? builtIn : `From the Defaults Line: ${label(text)}`;
}
