import { describe, expect, it } from "vitest";
import { progressText, RunProgress } from "../../src/cli/progress-text";
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

  it("shows the moves and aws's upload on one line while both run, instead of flipping between them", () => {
    const progress = new RunProgress();
    const phase = (p: "aws" | "move" | "record"): EngineEvent => ({ type: "phase", target: "Vault", phase: p });
    const moved = (done: number): EngineEvent => ({ ...move, done, failed: 0 }) as EngineEvent;
    expect(progress.update(phase("aws"))).toBe("Vault · syncing with aws");
    expect(progress.update(phase("move"))).toBe("Vault · moving");
    expect(progress.update(moved(1))).toBe("Vault · moving 1/40");
    expect(progress.update(upload)).toBe("Vault · moving 1/40 · uploading 35% of 3.4 GB");
    expect(progress.update(moved(2))).toBe("Vault · moving 2/40 · uploading 35% of 3.4 GB");
    expect(progress.fraction).toBeCloseTo(0.35, 2);
    // The last move ends the moving part; the upload goes on alone.
    expect(progress.update(moved(40))).toBe("Vault · moving 40/40");
    expect(progress.update(upload)).toBe("Vault · uploading 35% of 3.4 GB");
    expect(progress.update(phase("record"))).toBe("Vault · recording the new state");
    expect(progress.fraction).toBeUndefined();
    // Another target starts from nothing.
    expect(progress.update({ ...moved(3), target: "Photos" } as EngineEvent)).toBe("Photos · moving 3/40");
  });

  it("draws the terminal's bar on the upload when both run", () => {
    const progress = new RunProgress({ bar: (f) => `<${Math.round(f * 100)}>` });
    progress.update(move);
    expect(progress.update(upload)).toBe("Vault · moving 12/40 · uploading <35> 35% of 3.4 GB · 12.0 MiB/s · 7 left");
  });
});
