// Fault injection: seeded, so a failing test run can be replayed request for request.

/** mulberry32: tiny deterministic PRNG. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createFaults() {
  let config = {};
  let random = prng(1);
  let matched = 0;

  return {
    get config() {
      return config;
    },
    set(next) {
      config = { ...next };
      random = prng(config.seed ?? 1);
      matched = 0;
    },
    clear() {
      config = {};
      matched = 0;
    },
    /** What to do with one request: { latencyMs, action?: "SlowDown"|"InternalError"|"drop"|"hang" }. */
    decide(op) {
      if (config.operations && !config.operations.includes(op)) return { latencyMs: 0 };
      matched++;
      const latencyMs = config.latencyMs ?? 0;
      if (config.hang) return { latencyMs, action: "hang" };
      if (config.failAfterRequests !== undefined && matched > config.failAfterRequests) {
        return { latencyMs, action: config.failMode ?? "drop" };
      }
      const slow = config.slowDownRate ?? 0;
      const internal = config.internalErrorRate ?? 0;
      const drop = config.dropRate ?? 0;
      if (slow + internal + drop <= 0) return { latencyMs };
      const r = random();
      if (r < slow) return { latencyMs, action: "SlowDown" };
      if (r < slow + internal) return { latencyMs, action: "InternalError" };
      if (r < slow + internal + drop) return { latencyMs, action: "drop" };
      return { latencyMs };
    },
  };
}
