// happy-dom's globals (document, window) for React, but modules resolved and transformed as for Node, and
// Node's own networking and abort globals: the engine, the AWS SDK and the local S3 server's control API
// run as they do in Raycast, not under a browser's same-origin rules.
import { builtinEnvironments, type Environment } from "vitest/runtime";

const base = builtinEnvironments["happy-dom"];
const NODE_GLOBALS = [
  "fetch",
  "Request",
  "Response",
  "Headers",
  "FormData",
  "Blob",
  "File",
  "URL",
  "URLSearchParams",
  "AbortController",
  "AbortSignal",
  "TextEncoder",
  "TextDecoder",
  "ReadableStream",
  "WritableStream",
  "TransformStream",
] as const;

export default {
  ...base,
  name: "happy-dom-node",
  viteEnvironment: "ssr",
  async setup(global, options) {
    const kept = Object.fromEntries(NODE_GLOBALS.map((name) => [name, global[name]]));
    const env = await base.setup(global, options);
    Object.assign(global, kept);
    return env;
  },
} satisfies Environment;
