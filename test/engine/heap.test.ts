import { describe, expect, it } from "vitest";
import { collectGarbage } from "../../src/engine/heap";

/** Allocates and drops a buffer of `mib` MiB in a frame of its own (a caller's registers keep nothing alive). */
function dropBuffer(mib: number): number {
  const buffer = new Uint8Array(mib * 2 ** 20).fill(1);
  return buffer[buffer.length - 1];
}

describe("collectGarbage", () => {
  it("frees memory nothing references any more, at once", () => {
    collectGarbage();
    const before = process.memoryUsage().arrayBuffers;
    expect(dropBuffer(96)).toBe(1);
    expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThanOrEqual(96 * 2 ** 20);
    collectGarbage();
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 ** 20);
  });
});
