import { describe, expect, it } from "vitest";
import { progressText } from "../../src/cli/progress-text";
import type { EngineEvent } from "../../src/engine/events";

const upload: EngineEvent = {
  type: "aws",
  target: "Vault",
  event: {
    type: "aws-progress",
    doneBytes: 1.19e9,
    totalBytes: 3.4e9,
    filesRemaining: 7,
    rate: "12.0 MiB/s",
    totalFinal: true,
  },
};
const move = { type: "move", target: "Vault", done: 11, failed: 1, total: 40, dryRun: false } as EngineEvent;

describe("progressText (the toast and the terminal say the same thing)", () => {
  it("gives the toast its short lines", () => {
    expect(progressText(move)).toBe("Vault · moving 12/40");
    expect(progressText(upload)).toBe("Vault · uploading 35% of 3.4 GB");
  });

  it("adds a bar, the rate and what is left on a terminal", () => {
    const bar = (f: number) => `<${Math.round(f * 100)}>`;
    expect(progressText(move, { bar })).toBe("Vault · moving <30> 12/40");
    expect(progressText(upload, { bar })).toBe("Vault · uploading <35> 35% of 3.4 GB · 12.0 MiB/s · 7 left");
  });
});
