// Network shaping for benchmarks: what a user's link to S3 adds that loopback does not.
// - a round trip per request/response exchange (`rttMs`), and `connectRtts` more on the first request of a
//   new connection (TCP and TLS handshakes to a real HTTPS endpoint);
// - one upload link (`upMbps`, megabits per second) shared by every connection: request bodies are read
//   no faster than it allows, in arrival order, so a client's sends back up into its own socket buffers as
//   they would behind a home uplink. Downloads are not capped (downlinks are rarely the limit of a sync).
// Off by default, so the test suite sees the server exactly as before.
import { Transform } from "node:stream";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function createNetwork() {
  let config = {};
  let bytesPerMs = 0;
  // When the shared uplink is next free (performance.now() time): a schedule, so timer slack never adds up.
  let nextFree = 0;
  let seen = new WeakSet();

  async function take(bytes) {
    const now = performance.now();
    nextFree = Math.max(now, nextFree) + bytes / bytesPerMs;
    const wait = nextFree - now;
    if (wait >= 1) await sleep(wait);
  }

  return {
    get config() {
      return config;
    },
    /** { rttMs?, connectRtts?, upMbps? }; replaces the whole setting. */
    set(next) {
      config = { ...next };
      bytesPerMs = config.upMbps > 0 ? (config.upMbps * 1e6) / 8 / 1000 : 0;
      nextFree = 0;
      seen = new WeakSet();
    },
    clear() {
      this.set({});
    },
    /** The round trip(s) this request costs before the server can answer it. */
    async delay(req) {
      const rtt = config.rttMs ?? 0;
      if (rtt <= 0) return;
      const socket = req.socket;
      const fresh = !seen.has(socket);
      if (fresh) seen.add(socket);
      await sleep(rtt * (1 + (fresh ? (config.connectRtts ?? 0) : 0)));
    },
    /** The request body as the proxy should read it: the request itself, or paced through the uplink. */
    body(req) {
      if (bytesPerMs <= 0) return req;
      const paced = new Transform({
        transform(chunk, _encoding, done) {
          take(chunk.length).then(() => done(null, chunk), done);
        },
      });
      req.on("error", (err) => paced.destroy(err));
      req.on("aborted", () => paced.destroy());
      return req.pipe(paced);
    },
  };
}
