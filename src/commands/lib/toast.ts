// The one failure helper of the extension (brew's utils/toast.ts): it picks the toast's title, message and
// actions from the failure. Retry only for failures that can pass without the user changing anything;
// Open Config first when the cure is in the config.
import { Clipboard, open, showToast, Toast } from "@raycast/api";
import { CONFIG_CODES, isRetryable, type Failure } from "./failure";

export type { Failure } from "./failure";
export { failureOf, isRetryable } from "./failure";

export async function showFailure(
  title: string,
  failure: Failure,
  options: { logFile?: string; configFile?: string; retry?: () => Promise<unknown> } = {},
): Promise<Toast> {
  const actions: Toast.ActionOptions[] = [];
  const openConfig = options.configFile && { title: "Open Config", onAction: () => open(options.configFile!) };
  const openLog = options.logFile && { title: "Open Log", onAction: () => open(options.logFile!) };
  if (options.retry && isRetryable(failure)) {
    const retry = options.retry;
    actions.push({
      title: "Retry",
      onAction: (toast) => {
        void toast.hide();
        void retry();
      },
    });
  }
  if (CONFIG_CODES.has(failure.code)) actions.push(...[openConfig, openLog].filter((a) => !!a));
  else actions.push(...[openLog, openConfig].filter((a) => !!a));
  const details = [title, failure.message, failure.hint].filter(Boolean).join("\n");
  actions.push({ title: "Copy Details", onAction: () => Clipboard.copy(details) });
  return showToast({
    style: Toast.Style.Failure,
    title,
    message: failure.hint ? `${failure.message} ${failure.hint}` : failure.message,
    primaryAction: actions[0],
    secondaryAction: actions[1],
  });
}
