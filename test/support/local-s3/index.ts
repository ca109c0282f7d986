// The test-facing API: everything from server-api plus useLocalS3() for vitest files.
import { afterAll, beforeAll } from "vitest";
import { startLocalS3, type LocalS3, type LocalS3Options } from "./server-api";

export * from "./server-api";

/**
 * Starts a server for the current test file (beforeAll) and stops it (afterAll). The returned
 * object is empty until beforeAll ran; read its fields inside tests and hooks only.
 */
export function useLocalS3(options: LocalS3Options = {}): LocalS3 {
  const handle = {} as LocalS3;
  beforeAll(async () => {
    Object.assign(handle, await startLocalS3(options));
  });
  afterAll(async () => {
    await handle.stop?.();
  });
  return handle;
}
