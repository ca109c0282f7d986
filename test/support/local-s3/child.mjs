// Entry of the local S3 child process: `node child.mjs [--buckets '["a"]'] [--port N]`.
import { register } from "node:module";

register("./hooks.mjs", import.meta.url);
const { main } = await import("./server.mjs");
await main(process.argv.slice(2));
