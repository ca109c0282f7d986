// Entry point of the `s3-smart-sync` binary.
import { setMaxListeners } from "node:events";
import { keepHeapNearLive } from "../engine/heap";
import { main } from "./main";
import { EXIT } from "./output";

keepHeapNearLive();

// The CLI supports Node 20 on purpose (Raycast runs 22): the SDK's nine-line notice on every run is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const controller = new AbortController();
// Every S3 request in flight or waiting for a slot listens to it (16 at the default concurrency): Node's
// leak warning at 11 would be printed on a normal run.
setMaxListeners(0, controller.signal);
let interrupts = 0;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    // First Ctrl-C stops cleanly (moves journaled, DB consistent); a second one quits at once.
    if (++interrupts > 1) process.exit(EXIT.INTERRUPTED);
    process.stderr.write("\nStopping after the requests in flight… (Ctrl-C again to quit now)\n");
    controller.abort(new Error(`received ${signal}`));
  });
}

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
});
process.exitCode = controller.signal.aborted && code !== 0 ? EXIT.INTERRUPTED : code;
