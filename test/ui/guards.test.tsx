// The safety guards as the user meets them, on real runs against the local server: how many objects a sync
// would delete (Preview Moves, Sync Status, the menu bar), and a run refused for deleting too much (the
// hotkey's HUD, Sync Status's confirmation, which runs the target again with --allow-deletes).
import { screen, waitFor, within } from "@testing-library/react";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readSettings } from "../../src/commands/lib/preferences";
import { syncFromHotkey } from "../../src/commands/lib/sync";
import MenuBarCommand from "../../src/menu-bar";
import PreviewMovesCommand from "../../src/preview-moves";
import StatusCommand from "../../src/status";
import { __raycast, environment } from "../mocks/raycast-api";
import { __resetCache } from "../mocks/raycast-utils";
import { bucketContents, type Volume } from "../support/volume";
import { act, findItem, menuItem, renderCommand, settled, useUiFixture, waitForToast } from "./support/fixture";

const fx = useUiFixture();

const started = () =>
  readFileSync(path.join(environment.supportPath, "sync-worker.log"), "utf8")
    .split("\n")
    .filter((l) => l.includes(" started: "))
    .map((l) => l.replace(/^.* started: /, ""));

/**
 * A synced volume of 24 files from which 20 were then deleted and one renamed: aws would delete 20 of the
 * bucket's 24 objects, over the default cap (half of them: 12).
 */
async function gutted(): Promise<{ v: Volume; bucket: string }> {
  const v = fx.volume("vault");
  for (let i = 0; i < 23; i++) v.file(`gone/${String(i).padStart(2, "0")}.flac`, 10 + i);
  v.file("a.flac", 40);
  const bucket = await fx.bucket();
  await fx.sync(v, bucket, "Vault");
  for (let i = 0; i < 20; i++) v.remove(`gone/${String(i).padStart(2, "0")}.flac`);
  v.rename("a.flac", "x/a.flac");
  fx.writeConfig([fx.line(v, bucket, "name=Vault")]);
  return { v, bucket };
}

describe("the safety guards", () => {
  it("the delete count shows in Preview Moves, then in Sync Status and the menu bar", async () => {
    const { bucket } = await gutted();

    const preview = renderCommand(<PreviewMovesCommand />);
    await findItem("a.flac");
    await settled();
    const section = screen.getByRole("region", { name: "Vault" });
    expect(within(section).getByText(/the sync would delete/).textContent).toBe(
      `s3://${bucket}/ · 1 move · the sync would delete 20 objects`,
    );
    preview.unmount();

    __resetCache();
    const status = renderCommand(<StatusCommand />);
    await settled();
    const vault = await findItem("Vault");
    expect(vault.textContent).toContain("20 deleted · 1 moved");
    status.unmount();

    __resetCache();
    renderCommand(<MenuBarCommand />);
    await waitFor(() => expect(menuItem("Pending: 1 move · 20 deletes")).toBeTruthy(), { timeout: 20_000 });
  }, 120_000);

  it("a refused deletion: the hotkey says so and S3 is untouched; Sync Status asks with the count and deletes once confirmed", async () => {
    const { bucket } = await gutted();
    const before = await bucketContents(fx.client(), bucket);
    expect(Object.keys(before)).toHaveLength(24);

    await syncFromHotkey(readSettings(), { quickSeconds: 60 });
    expect(__raycast.huds).toEqual([
      "Syncing All Targets · Progress in the Menu Bar",
      `Sync Refused: Vault · This sync would delete 20 objects (83% of 24) under s3://${bucket}/, more than the cap of 12. · Review in Sync Status`,
    ]);
    expect(await bucketContents(fx.client(), bucket)).toEqual(before);

    // Sync This Target in Sync Status runs into the same refusal, asks, and runs again once confirmed.
    renderCommand(<StatusCommand />);
    await settled();
    act(await findItem("Vault"), "Sync This Target");
    await waitForToast("Sync Finished", 60_000);
    expect(__raycast.alerts.map((a) => a.title)).toEqual([`Delete 20 Objects in s3://${bucket}/?`]);
    expect(started().at(-1)).toContain("--target Vault --allow-deletes");
    expect(started().filter((l) => l.includes("--allow-deletes"))).toHaveLength(1);
    expect(Object.keys(await bucketContents(fx.client(), bucket)).sort()).toEqual([
      "gone/20.flac",
      "gone/21.flac",
      "gone/22.flac",
      "x/a.flac",
    ]);
  }, 180_000);
});
