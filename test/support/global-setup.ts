// One temporary folder for the whole test run, removed at its end: every test, and every process a test
// starts (the CLI, aws, the local server, workers), makes its temporary files under it through TMPDIR, so a
// run leaves nothing behind in the machine's /tmp (config files beside volumes, fake aws layouts, state).
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export default function setup(): () => void {
  // Each project of the config runs this too: the first call's folder serves them all.
  if (process.env.S3SS_TEST_RUN_DIR) return () => undefined;
  const root = mkdtempSync(path.join(tmpdir(), "s3ss-tests-"));
  process.env.S3SS_TEST_RUN_DIR = root;
  // Searchable by others: a scanner test runs Node as user nobody on a folder under it.
  chmodSync(root, 0o755);
  process.env.TMPDIR = root;
  // Runs remember each target's volume in a per-user state folder: the suite's own, not the home folder's.
  process.env.S3_SMART_SYNC_STATE_DIR = path.join(root, "state");
  return () => rmSync(root, { recursive: true, force: true });
}
