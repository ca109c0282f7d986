// Preview Moves against a real engine: renamed files on a synced volume show up as moves; the actions move
// the objects in the bucket, skip moves for good, and show what a person needs.
import { DeleteObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { screen, waitFor, within } from "@testing-library/react";
import path from "node:path";
import { describe, expect, it } from "vitest";
import PreviewMovesCommand from "../../src/preview-moves";
import { openStateDb } from "../../src/engine";
import { __raycast } from "../mocks/raycast-api";
import { act, findItem, renderCommand, settled, useUiFixture, waitForToast } from "./support/fixture";

const fx = useUiFixture();

async function exists(bucket: string, key: string): Promise<boolean> {
  try {
    await fx.client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

describe("Preview Moves", () => {
  it("lists the moves of mounted targets and applies, skips and explains them", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("vault");
    for (const name of ["one", "two", "three", "four", "cold", "gone"]) v.file(`Inbox/${name}.flac`, 20_000);
    await fx.sync(v, bucket, "Vault");
    for (const name of ["one", "two", "three", "four", "cold", "gone"])
      v.rename(`Inbox/${name}.flac`, `Sorted/${name}.flac`);
    await fx.local.setStorageClass(bucket, "Inbox/cold.flac", "GLACIER");
    await fx.client().send(new DeleteObjectCommand({ Bucket: bucket, Key: "Inbox/gone.flac" }));
    fx.writeConfig([
      "# my targets",
      fx.line(v, bucket, "name=Vault"),
      fx.line("/Volumes/Not Here", bucket.replace(/^ui/, "uj"), "name=Offline"),
    ]);

    renderCommand(<PreviewMovesCommand />);
    const one = await findItem("one.flac");
    await settled();
    const section = screen.getByRole("region", { name: "Vault" });
    expect(
      within(section)
        .getAllByRole("listitem")
        .map((i) => i.getAttribute("aria-label")),
    ).toEqual(["cold.flac", "four.flac", "gone.flac", "one.flac", "three.flac", "two.flac"]);
    expect(screen.queryByRole("region", { name: "Offline" })).toBeNull();
    expect(one.textContent).toContain("Inbox/one.flac → Sorted/one.flac");
    expect(one.textContent).toContain("20.0 KB");
    expect((await findItem("cold.flac")).textContent).toContain("Archived");
    expect((await findItem("gone.flac")).textContent).toContain("Unverified");

    act(one, "Copy S3 URI");
    act(one, "Show in Finder");
    act(one, "Open in AWS Console");
    await waitFor(() => expect(__raycast.clipboard).toEqual([`s3://${bucket}/Sorted/one.flac`]));
    expect(__raycast.finder).toEqual([path.join(v.root, "Sorted/one.flac")]);
    expect(__raycast.opened[0]!.target).toBe(
      `https://s3.console.aws.amazon.com/s3/object/${bucket}?prefix=${encodeURIComponent("Inbox/one.flac")}`,
    );

    act(one, "Apply Move");
    await waitForToast("Moved one.flac");
    expect(await exists(bucket, "Sorted/one.flac")).toBe(true);
    expect(await exists(bucket, "Inbox/one.flac")).toBe(false);
    await waitFor(() => expect(screen.queryByRole("listitem", { name: "one.flac" })).toBeNull());

    act(await findItem("two.flac"), "Skip Move");
    await waitForToast("Move Skipped");
    await settled();
    await waitFor(() => expect(screen.queryByRole("listitem", { name: "two.flac" })).toBeNull());
    const { db } = await openStateDb({ volumeRoot: v.root });
    expect(db.skippedMoves().map((s) => `${s.fromPath} → ${s.toPath}`)).toEqual(["Inbox/two.flac → Sorted/two.flac"]);
    db.close();

    act(await findItem("three.flac"), "Apply All Moves in This Target");
    await waitForToast("Applied 2 Moves");
    await settled();
    for (const name of ["three", "four"]) {
      expect(await exists(bucket, `Sorted/${name}.flac`)).toBe(true);
      expect(await exists(bucket, `Inbox/${name}.flac`)).toBe(false);
    }
    // The archived move waits for its restore; the unverifiable one is left to aws; the skipped one stays put.
    expect(await exists(bucket, "Inbox/cold.flac")).toBe(true);
    expect(await exists(bucket, "Inbox/two.flac")).toBe(true);
    await waitFor(() =>
      expect(
        within(screen.getByRole("region", { name: "Vault" }))
          .getAllByRole("listitem")
          .map((i) => i.getAttribute("aria-label")),
      ).toEqual(["cold.flac", "gone.flac"]),
    );

    act(await findItem("cold.flac"), "Show Details");
    const detail = await screen.findByRole("article");
    expect(within(detail).getByLabelText("Storage Class").textContent).toBe("GLACIER");
    expect(within(detail).getByLabelText("Old Key").textContent).toBe("Inbox/cold.flac");
    expect(within(detail).getByLabelText("New Key").textContent).toBe("Sorted/cold.flac");
    expect(within(detail).getByLabelText("Size").textContent).toContain("20,000 bytes");
    expect(Number(within(detail).getByLabelText("Inode").textContent)).toBeGreaterThan(0);
  });

  it('says "No pending moves" with the time of the last sync', async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("calm");
    v.file("a.txt", 100);
    await fx.sync(v, bucket, "Calm");
    fx.writeConfig([fx.line(v, bucket, "name=Calm")]);
    renderCommand(<PreviewMovesCommand />);
    await settled();
    const empty = await screen.findByText("No pending moves");
    expect(empty.parentElement!.textContent).toMatch(/Last sync: .*\d/);
  });

  it("shows a config error instead of crashing", async () => {
    fx.writeConfig(["/Volumes/X | Not_A_Bucket"]);
    renderCommand(<PreviewMovesCommand />);
    await settled();
    expect(await screen.findByText("Config Has Errors")).toBeTruthy();
    expect(screen.getByText(/Line 1: /)).toBeTruthy();
  });
});
