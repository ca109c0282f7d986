// Test stand-in for `@raycast/utils`: the hooks the commands use, with the same contract (cached data shown
// first, revalidated in the background, mutate with an optimistic update), kept in memory per test run.
import { useCallback, useEffect, useRef, useState } from "react";
import { showToast, Toast } from "./raycast-api";

const cache = new Map<string, unknown>();

export function __resetCache(): void {
  cache.clear();
}

type AsyncFn<A extends unknown[], T> = (...args: A) => Promise<T>;

interface CachedPromiseOptions<T> {
  initialData?: T;
  abortable?: { current: AbortController | null | undefined };
  keepPreviousData?: boolean;
  execute?: boolean;
  onError?: (error: Error) => void;
  onData?: (data: T) => void;
}

interface MutateOptions<T> {
  optimisticUpdate?: (data: T | undefined) => T | undefined;
  rollbackOnError?: boolean | ((data: T | undefined) => T | undefined);
  shouldRevalidateAfter?: boolean;
}

export function useCachedPromise<A extends unknown[], T>(
  fn: AsyncFn<A, T>,
  args?: A,
  options: CachedPromiseOptions<T> = {},
) {
  // As @raycast/utils: the function's source names the cache, the arguments the entry.
  const key = `${fn.toString()}:${JSON.stringify(args ?? [])}`;
  const [data, setData] = useState<T | undefined>(() => (cache.has(key) ? (cache.get(key) as T) : options.initialData));
  const [error, setError] = useState<Error | undefined>();
  const [isLoading, setLoading] = useState(options.execute !== false);
  const latest = useRef(0);
  const argsRef = useRef(args);
  argsRef.current = args;

  const revalidate = useCallback(async () => {
    const call = ++latest.current;
    // As @raycast/utils: a new call aborts the one before it.
    if (options.abortable) {
      options.abortable.current?.abort();
      options.abortable.current = new AbortController();
    }
    setLoading(true);
    try {
      const result = await fn(...((argsRef.current ?? []) as A));
      if (call !== latest.current) return;
      cache.set(key, result);
      setData(result);
      setError(undefined);
      options.onData?.(result);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      // As @raycast/utils: an aborted call (a newer one, or the view closed) is no error.
      if (err.name === "AbortError" || call !== latest.current) return;
      setError(err);
      if (options.onError) options.onError(err);
      else await showFailureToast(err, { title: "Failed to fetch latest data" });
    } finally {
      if (call === latest.current) setLoading(false);
    }
  }, [key]);

  useEffect(() => {
    if (options.execute !== false) void revalidate();
  }, [key]);
  // Unmounting aborts the call in flight.
  useEffect(() => () => options.abortable?.current?.abort(), []);

  const mutate = useCallback(
    async (work?: Promise<unknown>, mutateOptions: MutateOptions<T> = {}) => {
      let before: T | undefined;
      if (mutateOptions.optimisticUpdate) {
        setData((current) => {
          before = current;
          return mutateOptions.optimisticUpdate!(current);
        });
      }
      try {
        await work;
      } catch (e) {
        if (mutateOptions.rollbackOnError !== false) setData(before);
        throw e;
      }
      if (mutateOptions.shouldRevalidateAfter !== false) await revalidate();
    },
    [revalidate],
  );

  return { data, error, isLoading, revalidate, mutate };
}

export async function showFailureToast(
  error: unknown,
  options: { title?: string; message?: string; primaryAction?: unknown } = {},
): Promise<Toast> {
  const message = error instanceof Error ? error.message : String(error);
  return showToast({
    style: Toast.Style.Failure,
    title: options.title ?? "Something went wrong",
    message: options.message ?? message,
    primaryAction: options.primaryAction,
  });
}
