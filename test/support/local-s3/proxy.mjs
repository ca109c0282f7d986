// The HTTP front of the test server: accounting, request log, faults, network shaping (benchmarks), S3
// emulations, control API.
import http from "node:http";
import { classify, parseCopySource } from "./operations.mjs";
import { createFaults } from "./faults.mjs";
import { createNetwork } from "./network.mjs";
import { createEmulation, requestedSse } from "./emulation.mjs";
import { createAuth } from "./auth.mjs";
import { sendError, unescapeXml } from "./s3-responses.mjs";

const CONTROL_PREFIX = "/__control/";
const LOG_LIMIT = 200_000;
const UPLOAD_OPS = new Set(["PutObject", "UploadPart"]);
// Hop-by-hop or proxy-consumed headers; `expect` was already answered with 100 Continue here.
const DROP_REQUEST_HEADERS = new Set(["expect", "connection", "keep-alive", "proxy-connection"]);

function createStats() {
  let ops = {};
  let requests = 0;
  let uploadedBytes = 0;
  let requestBytes = 0;
  let inFlight = 0;
  let peakInFlight = 0;
  return {
    request(op) {
      requests++;
      (ops[op] ??= { count: 0, bytes: 0 }).count++;
    },
    /** A request arrived; the returned function marks it answered (or dropped). */
    open() {
      peakInFlight = Math.max(peakInFlight, ++inFlight);
      let closed = false;
      return () => {
        if (!closed) inFlight--;
        closed = true;
      };
    },
    bytes(op, n) {
      ops[op].bytes += n;
      requestBytes += n;
      if (UPLOAD_OPS.has(op)) uploadedBytes += n;
    },
    snapshot: () => ({ requests, uploadedBytes, requestBytes, peakInFlight, ops: structuredClone(ops) }),
    reset() {
      ops = {};
      requests = uploadedBytes = requestBytes = 0;
      peakInFlight = inFlight;
    },
  };
}

const EMPTY = Buffer.alloc(0);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function createProxy({ store, upstreamPort }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const stats = createStats();
  const faults = createFaults();
  const network = createNetwork();
  const emulation = createEmulation(store);
  const auth = createAuth();
  let log = [];
  let seq = 0;
  const held = new Set();

  function releaseHeld() {
    for (const res of held) res.socket?.destroy();
    held.clear();
  }

  /** Reads (and counts) the whole request body once; later calls get the same buffer. */
  function bodyReader(source, op, entry) {
    let pending;
    const count = (chunk) => {
      entry.bytes += chunk.length;
      stats.bytes(op, chunk.length);
    };
    return {
      count,
      read() {
        pending ??= new Promise((resolve, reject) => {
          const chunks = [];
          source.on("data", (c) => {
            count(c);
            chunks.push(c);
          });
          source.on("end", () => resolve(Buffer.concat(chunks)));
          source.on("error", reject);
        });
        return pending;
      },
    };
  }

  function forward(ctx, counter) {
    const { req, res, entry, source } = ctx;
    const headers = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!DROP_REQUEST_HEADERS.has(name)) headers[name] = value;
    }
    const upstream = http.request({
      host: "127.0.0.1",
      port: upstreamPort,
      method: req.method,
      path: req.url,
      headers,
      agent,
    });
    upstream.on("response", async (up) => {
      try {
        let body;
        if (emulation.needsBody(ctx)) {
          const chunks = [];
          for await (const c of up) chunks.push(c);
          body = Buffer.concat(chunks);
        }
        const extra = emulation.after(ctx, up.statusCode ?? 500, up.headers, body?.toString("utf8"));
        const outHeaders = { ...up.headers, ...extra };
        delete outHeaders.connection;
        delete outHeaders["keep-alive"];
        res.writeHead(up.statusCode ?? 500, outHeaders);
        if (body) res.end(body);
        else up.pipe(res);
      } catch (err) {
        res.destroy(err);
      }
    });
    upstream.on("error", () => {
      entry.note = "upstream error";
      if (!res.headersSent) sendError(res, 500, "InternalError", { resource: ctx.resource });
      else res.destroy();
    });
    req.on("aborted", () => upstream.destroy());
    if (ctx.body) {
      upstream.end(ctx.body);
    } else {
      source.on("data", counter.count);
      source.pipe(upstream);
    }
  }

  async function handleS3(req, res) {
    const { op, bucket, key, query } = classify(req.method, req.url ?? "/", req.headers);
    const entry = { seq: ++seq, op, bucket, key, status: 0, bytes: 0, at: Date.now(), ms: 0 };
    // What the request asks for, logged on arrival (before any fault delays or answers it).
    if (op === "CopyObject" || op === "UploadPartCopy")
      entry.source = parseCopySource(req.headers["x-amz-copy-source"]);
    if (op === "CopyObject" || op === "CreateMultipartUpload" || op === "PutObject") {
      // What a write asked for, as sent (the server keeps SSE settings but does not encrypt).
      const sse = requestedSse(req.headers);
      if (sse) entry.sse = sse;
      if (req.headers["x-amz-metadata-directive"])
        entry.metadataDirective = String(req.headers["x-amz-metadata-directive"]);
      if (req.headers["content-type"] && op !== "PutObject") entry.contentType = String(req.headers["content-type"]);
    }
    if (log.length < LOG_LIMIT) log.push(entry);
    stats.request(op);
    const answered = stats.open();
    res.on("close", answered);
    res.on("finish", () => {
      entry.status = res.statusCode;
      entry.ms = Date.now() - entry.at;
    });
    await network.delay(req);
    const source = network.body(req);
    const counter = bodyReader(source, op, entry);
    const ctx = {
      op,
      bucket,
      key,
      req,
      res,
      entry,
      source,
      resource: `/${bucket}${key ? "/" + key : ""}`,
      readBody: counter.read,
    };

    const decision = faults.decide(op);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs);
    if (decision.action) {
      entry.fault = decision.action;
      if (decision.action === "hang") {
        held.add(res);
        res.on("close", () => held.delete(res));
        return;
      }
      if (decision.action === "drop") {
        req.socket.destroy();
        return;
      }
      await counter.read();
      const status = decision.action === "SlowDown" ? 503 : 500;
      sendError(res, status, decision.action, { resource: ctx.resource, head: req.method === "HEAD" });
      return;
    }
    if (await auth.check(ctx, query)) return;
    if (await emulation.before(ctx)) return;
    if (op === "DeleteObjects") {
      // Small XML: keep the keys in the log, so tests can tell which objects a batch removed.
      ctx.body = await counter.read();
      entry.keys = [...ctx.body.toString("utf8").matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((m) => unescapeXml(m[1]));
    }
    forward(ctx, counter);
  }

  async function handleControl(req, res, name) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const text = Buffer.concat(chunks).toString("utf8");
    const args = text ? JSON.parse(text) : {};
    const result = await control(name, args);
    const json = JSON.stringify(result ?? null);
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
    res.end(json);
  }

  async function control(name, args) {
    switch (name) {
      case "health":
        return { ok: true };
      case "stats":
        return stats.snapshot();
      case "reset-stats":
        stats.reset();
        log = [];
        return null;
      case "requests":
        return log;
      case "set-faults":
        faults.set(args);
        releaseHeld();
        return null;
      case "set-network":
        network.set(args);
        return null;
      case "network":
        return network.config;
      case "clear-faults":
        faults.clear();
        releaseHeld();
        return null;
      case "create-bucket":
        store.createBucket(args.name);
        return null;
      case "put-empty-objects":
        // Benchmarks: a bucket of a million objects in seconds instead of a million requests (each holding
        // `body` when one is given: a tree of one-byte files, which renames can move).
        for (const key of args.keys) store.putObject(args.bucket, key, args.body ? Buffer.from(args.body) : EMPTY);
        return null;
      case "empty-bucket":
        store.emptyBucket(args.name);
        return null;
      case "set-storage-class":
        emulation.setStorageClass(args.bucket, args.key, args.storageClass, args.archiveStatus);
        return null;
      case "complete-restore":
        emulation.completeRestore(args.bucket, args.key);
        return null;
      case "configure":
        if ("restoreDelayMs" in args) emulation.config.restoreDelayMs = args.restoreDelayMs ?? undefined;
        return null;
      case "set-bucket-region":
        auth.setBucketRegion(args.bucket, args.region ?? undefined);
        return null;
      case "object":
        return emulation.objectInfo(args.bucket, args.key) ?? null;
      default:
        throw Object.assign(new Error(`unknown control command: ${name}`), { status: 404 });
    }
  }

  const server = http.createServer((req, res) => {
    const url = req.url ?? "/";
    const handler = url.startsWith(CONTROL_PREFIX)
      ? handleControl(req, res, url.slice(CONTROL_PREFIX.length).split("?")[0])
      : handleS3(req, res);
    handler.catch((err) => {
      if (res.headersSent) return res.destroy();
      const json = JSON.stringify({ error: String(err?.message ?? err) });
      res.writeHead(err?.status ?? 500, { "content-type": "application/json" });
      res.end(json);
    });
  });
  // Clients keep idle connections open between tests (often longer than a CLI run): a server closing them
  // races with the client's next request ("socket hang up"), and a burst of such resets drains the SDK's
  // retry quota. The server lives only as long as the suite, so idle connections stay until it stops.
  server.keepAliveTimeout = 3_600_000;
  server.on("close", () => agent.destroy());
  return { server, releaseHeld };
}
