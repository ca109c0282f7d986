// Nothing heavy in Raycast's process. On a volume whose state DB holds 1,000,000 rows, Sync Status, Preview
// Moves and the menu bar are rendered while the test samples the JS heap: the scan, the DB and the plan must
// live in the child process each command starts (the CLI bundle, with Raycast's own Node), which this test
// records, and the engine's heavy stages must never run in-process. (1,000 of the files are on the volume,
// the rest deleted since the last sync: the child loads and plans the whole DB, and the lists it prints are
// capped; creating and scanning a million files would add minutes and nothing to what is measured here.)
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { waitFor } from "@testing-library/react";
import * as childProcess from "node:child_process";
import { execa } from "execa";
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import * as db from "../../src/engine/db";
import * as planner from "../../src/engine/planner";
import * as run from "../../src/engine/run";
import * as scanner from "../../src/engine/scanner";
import * as status from "../../src/engine/status";
import MenuBarCommand from "../../src/menu-bar";
import PreviewMovesCommand from "../../src/preview-moves";
import StatusCommand from "../../src/status";
import { environment } from "../mocks/raycast-api";
import { bundleScript } from "../support/fast-cli";
import { Volume } from "../support/volume";
import { findItem, renderCommand, settled, useUiFixture } from "./support/fixture";

// Every process a command starts, and every call of the engine's heavy stages in this process.
vi.mock("node:child_process", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:child_process")>();
  return { ...real, spawn: vi.fn(real.spawn) };
});
const { spyOn } = vi.hoisted(() => ({
  /** The module with the named functions wrapped in spies that call the real ones. */
  spyOn: async (load: () => Promise<unknown>, names: string[]) => {
    const real = (await load()) as Record<string, (...args: unknown[]) => unknown>;
    return { ...real, ...Object.fromEntries(names.map((n) => [n, vi.fn(real[n])])) };
  },
}));
vi.mock("../../src/engine/scanner", (orig) => spyOn(orig, ["scanVolume"]));
vi.mock("../../src/engine/db", (orig) => spyOn(orig, ["openStateDb"]));
vi.mock("../../src/engine/planner", (orig) => spyOn(orig, ["planRun"]));
vi.mock("../../src/engine/run", (orig) => spyOn(orig, ["runTarget"]));
vi.mock("../../src/engine/status", (orig) => spyOn(orig, ["volumeStatus"]));

const ROWS = 1_000_000;
const FILES = 1_000;
const fx = useUiFixture();
let volume: Volume;
let bucket: string;

v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** The peak of heapUsed above the settled heap before `work`, sampled every 2 ms while it runs. */
/**
 * The heap outside V8's young generation: what survived a scavenge, and large objects. Young-generation garbage
 * (up to its 16 MiB semi-space on 64-bit builds) is collected before it costs anything, and whether a sample
 * lands before or after a scavenge is chance; a DB, scan or plan held in-process would land here by hundreds
 * of MiB.
 */
function heapBeyondYoungGeneration(): number {
  return v8
    .getHeapSpaceStatistics()
    .filter((space) => space.space_name !== "new_space")
    .reduce((sum, space) => sum + space.space_used_size, 0);
}

async function peakHeap(work: () => Promise<void>): Promise<number> {
  gc();
  const base = heapBeyondYoungGeneration();
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, heapBeyondYoungGeneration())), 2);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, heapBeyondYoungGeneration());
  return peak - base;
}

const MiB = 1024 * 1024;
const spawned = () =>
  vi.mocked(childProcess.spawn).mock.calls.map(([file, args]) => [file, ...((args as string[]) ?? []).slice(0, 2)]);

beforeAll(async () => {
  volume = new Volume("million");
  bucket = await fx.bucket();
  const script = await bundleScript(fileURLToPath(new URL("./support/big-volume.ts", import.meta.url)));
  const made = await execa(process.execPath, [script, volume.root, bucket, String(ROWS), String(FILES)]);
  expect(JSON.parse(made.stdout)).toEqual({ rows: ROWS, files: FILES });
  rmSync(path.dirname(script), { recursive: true, force: true });
  // One renamed file: its old object is in the bucket, so the preview has one verified move to show.
  await fx.client().send(new PutObjectCommand({ Bucket: bucket, Key: "Group 0/Album 0/000 Track 0.mp3", Body: "x" }));
  volume.rename("Group 0/Album 0/000 Track 0.mp3", "Moved/000 Track 0.mp3");
}, 900_000);

afterAll(() => volume?.dispose(), 600_000);

describe(`Commands on a volume with a ${ROWS.toLocaleString("en-US")}-row state DB`, () => {
  it("keep their own heap small: the scan, DB and plan run in the child process they start", async () => {
    fx.writeConfig([fx.line(volume, bucket, "name=Million")]);
    const worker = path.join(environment.assetsPath, "worker.mjs");
    const figures: Record<string, number> = {};

    vi.mocked(childProcess.spawn).mockClear();
    figures.status = await peakHeap(async () => {
      renderCommand(<StatusCommand />);
      await waitFor(async () => expect((await findItem("Million")).textContent).toContain("1 moved"), {
        timeout: 600_000,
        interval: 200,
      });
    });
    expect(spawned()).toEqual([[process.execPath, worker, "status"]]);

    vi.mocked(childProcess.spawn).mockClear();
    figures.preview = await peakHeap(async () => {
      renderCommand(<PreviewMovesCommand />);
      await findItem("000 Track 0.mp3", 600_000);
      await settled(600_000);
    });
    expect(spawned()).toEqual([[process.execPath, worker, "preview"]]);

    vi.mocked(childProcess.spawn).mockClear();
    figures.menuBar = await peakHeap(async () => {
      renderCommand(<MenuBarCommand />);
      await waitFor(() => expect(document.querySelector("[data-menubar]")!.getAttribute("data-loading")).toBe("false"));
    });
    expect(spawned()).toEqual([]); // the menu bar reads files only

    for (const heavy of [scanner.scanVolume, db.openStateDb, planner.planRun, run.runTarget, status.volumeStatus])
      expect(vi.mocked(heavy)).not.toHaveBeenCalled();

    console.log(
      `Peak JS heap above baseline with a ${ROWS.toLocaleString("en-US")}-row DB: ` +
        Object.entries(figures)
          .map(([k, v]) => `${k} ${(v / MiB).toFixed(1)} MiB`)
          .join(", "),
    );
    // Raycast stops a command near its heap limit (reports put it near 20 MB for some extensions). A command
    // that scanned or loaded the DB in-process would hold hundreds of MiB here.
    for (const [command, bytes] of Object.entries(figures)) expect(bytes, command).toBeLessThan(8 * MiB);
  }, 900_000);

  it("end the child process when the view closes", async () => {
    fx.writeConfig([fx.line(volume, bucket, "name=Million")]);
    vi.mocked(childProcess.spawn).mockClear();
    const view = renderCommand(<StatusCommand />);
    await waitFor(() => expect(vi.mocked(childProcess.spawn)).toHaveBeenCalledTimes(1), { timeout: 30_000 });
    const child = vi.mocked(childProcess.spawn).mock.results[0]!.value as childProcess.ChildProcess;
    const closed = new Promise<string>((resolve) =>
      child.once("close", (code, signal) => resolve(signal ?? `exit ${code}`)),
    );
    view.unmount();
    // SIGTERM itself, or the CLI's own exit on it (130: interrupted).
    expect(["SIGTERM", "exit 130"]).toContain(await closed);
  }, 120_000);
});
