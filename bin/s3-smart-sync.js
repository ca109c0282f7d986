#!/usr/bin/env node
// Runs the CLI from its TypeScript source through tsx, so `npm ci` is the only install step.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/index.ts");
