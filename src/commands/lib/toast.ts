// The one failure helper of the extension (brew's utils/toast.ts): it picks the toast's title, message and
// actions from the failure. Retry only for failures that can pass without the user changing anything.
import { Clipboard, open, showToast, Toast } from "@raycast/api";
import { SmartSyncError } from "../../engine";

export interface Failure {
  code: string;
  message: string;
  hint?: string;
}

/** Failures a later attempt can get past on its own (another run held the lock, the network dropped). */
const RETRYABLE = new Set(["LOCKED", "NETWORK", "S3_FAILED", "WORKER_STOPPED"]);
const CONFIG_CODES = new Set(["CONFIG_INVALID", "CONFIG_MISSING", "CREDENTIALS", "BUCKET_MISSING", "WRONG_REGION"]);

export function failureOf(error: unknown): Failure {
  if (error instanceof SmartSyncError) return { code: error.code, message: error.message, hint: error.hint };
  return { code: "UNEXPECTED", message: error instanceof Error ? error.message : String(error) };
}

export function isRetryable(failure: Failure): boolean {
  return RETRYABLE.has(failure.code);
}

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
