// The one bound on S3 requests in flight for a gateway. Every request (HEAD, CopyObject, each
// UploadPartCopy, DeleteObjects, listings) takes a slot for its own duration only: a multipart copy holds
// no slot while its parts wait for theirs, so whole copies and part copies can never deadlock each other.

/** Runs one request under the limit. */
export type Limit = <T>(request: () => Promise<T>) => Promise<T>;

export class RequestLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`request limit must be a positive integer`);
  }

  /** Requests running now (for tests and progress). */
  get inFlight(): number {
    return this.active;
  }

  async run<T>(request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await request();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = this.waiting.indexOf(grant);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal!.reason);
      };
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      this.waiting.push(grant);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  private release(): void {
    // The slot passes straight to the next waiter (FIFO), so `active` only drops when nobody waits.
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
