// Starts fauxqs (patched) and the proxy on 127.0.0.1, ephemeral ports; prints one JSON ready line.
import { buildApp, S3Store } from "./fauxqs-internals.mjs";
import { patchStore } from "./store-patches.mjs";
import { createProxy } from "./proxy.mjs";

export async function main(argv) {
  const bucketsArg = argv.indexOf("--buckets");
  const buckets = bucketsArg >= 0 ? JSON.parse(argv[bucketsArg + 1]) : [];
  const portArg = argv.indexOf("--port");
  const proxyPort = portArg >= 0 ? Number(argv[portArg + 1]) : 0;

  patchStore(S3Store);
  const s3Store = new S3Store();
  for (const name of buckets) s3Store.createBucket(name);
  const app = buildApp({ logger: false, stores: { s3Store } });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const upstreamPort = app.server.address().port;
  // The proxy's pooled connections to fauxqs stay open too (see the proxy's keepAliveTimeout).
  app.server.keepAliveTimeout = 3_600_000;

  const { server } = createProxy({ store: s3Store, upstreamPort });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(proxyPort, "127.0.0.1", resolve);
  });
  const port = server.address().port;

  const shutdown = () => {
    server.closeAllConnections?.();
    process.exit(0);
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
  // The parent holds our stdin: when it dies (even by SIGKILL) the pipe closes and we follow.
  if (!process.env.LOCAL_S3_DETACHED) {
    process.stdin.on("end", shutdown);
    process.stdin.on("close", shutdown);
    process.stdin.resume();
  }
  process.stdout.write(
    JSON.stringify({
      ready: true,
      pid: process.pid,
      endpoint: `http://127.0.0.1:${port}`,
      serverEndpoint: `http://127.0.0.1:${upstreamPort}`,
    }) + "\n",
  );
}
