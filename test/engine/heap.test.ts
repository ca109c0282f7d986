import { describe, expect, it } from "vitest";
import { collectGarbage } from "../../src/engine/heap";

/** Allocates and drops a buffer of `mib` MiB in a frame of its own (a caller's registers keep nothing alive). */
function dropBuffer(mib: number): number {
  const buffer = new Uint8Array(mib * 2 ** 20).fill(1);
  return buffer[buffer.length - 1];
}

describe("collectGarbage", () => {
  it("frees memory nothing references any more, at once", () => {
    const buffers = () => process.memoryUsage().arrayBuffers;
    // Other buffers of this process may come and go meanwhile: 8 MiB of slack either way.
    const mib88 = 88 * 2 ** 20;
    collectGarbage();
    const before = buffers();
    expect(dropBuffer(96)).toBe(1);
    const held = buffers();
    expect(held - before).toBeGreaterThanOrEqual(mib88); // still counted: nothing collected it yet
    collectGarbage();
    expect(held - buffers()).toBeGreaterThanOrEqual(mib88);
  });
});
