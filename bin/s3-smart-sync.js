#!/usr/bin/env node
// Runs the CLI from its esbuild bundle (`npm run build:worker`; the same file Raycast's worker runs), which
// starts in half the time of compiling the TypeScript sources. A test fails when the bundle is stale.
await import("../assets/worker.mjs");
