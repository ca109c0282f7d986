// The worker Raycast starts is the committed assets/worker.mjs: it must be built from the current sources,
// or the extension would run an older engine than the one tested (`npm run build:worker` rebuilds it).
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { bundleWorker, sqlWasmSource, WASM_FILE, WORKER_FILE } from "../../scripts/build-worker";

it("assets/worker.mjs and assets/sql-wasm.wasm are up to date", async () => {
  const fresh = await bundleWorker();
  expect(readFileSync(WORKER_FILE, "utf8") === fresh, "assets/worker.mjs is stale: run `npm run build:worker`").toBe(
    true,
  );
  expect(readFileSync(WASM_FILE).equals(readFileSync(sqlWasmSource())), "assets/sql-wasm.wasm is stale").toBe(true);
});
