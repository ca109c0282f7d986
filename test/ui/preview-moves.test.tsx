// Preview Moves against real volumes and the local S3 server (its data comes from the CLI in a child
// process): the primary action and shortcuts of every kind of item, one move applied with the other half of
// its swap, Apply All after a confirmation with the counts, Skip with Undo, Details with the move's actions,
// one key for Copy S3 URI and the console, an unmounted target, a preview beside a running sync.
import { DeleteObjectCommand, HeadObjectCommand } from "@aws-sdk/client-s3";
import { screen, waitFor, within } from "@testing-library/react";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isAwsEndpoint } from "../../src/commands/lib/config";
import { consoleUrl } from "../../src/commands/preview/preview-moves";
import { openStateDb } from "../../src/engine";
import { acquireVolumeLock } from "../../src/engine/lock";
import PreviewMovesCommand from "../../src/preview-moves";
import { __raycast } from "../mocks/raycast-api";
import { act, actionsOf, findItem, renderCommand, settled, useUiFixture, waitForToast } from "./support/fixture";

const fx = useUiFixture();

async function exists(bucket: string, key: string): Promise<boolean> {
  try {
    await fx.client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

const titles = (region: string) =>
  within(screen.getByRole("region", { name: region }))
    .getAllByRole("listitem")
    .map((i) => i.getAttribute("aria-label"));

describe("Preview Moves", () => {
  it("lists moves with their actions, applies one with its swap partner, applies all after asking", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("vault");
    for (const name of ["one", "two", "three", "cold", "gone"]) v.file(`Inbox/${name}.flac`, 20_000);
    v.file("left.flac", 1_000, "left");
    v.file("right.flac", 1_000, "right");
    await fx.sync(v, bucket, "Vault");
    for (const name of ["one", "two", "three", "cold", "gone"]) v.rename(`Inbox/${name}.flac`, `Sorted/${name}.flac`);
    v.rename("left.flac", "tmp.flac");
    v.rename("right.flac", "left.flac");
    v.rename("tmp.flac", "right.flac");
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
    expect(document.querySelector("[data-list]")!.getAttribute("data-navigation-title")).toBeNull();
    // The engine's note on the archived move (how to restore it) first, then the moves by new path.
    expect(titles("Vault")).toEqual([
      "Note",
      "left.flac",
      "right.flac",
      "cold.flac",
      "gone.flac",
      "one.flac",
      "three.flac",
      "two.flac",
    ]);
    expect(screen.getByRole("listitem", { name: "Note" }).textContent).toContain("s3-smart-sync restore");
    // An unmounted target says so.
    expect(titles("Offline")).toEqual(["Not Mounted"]);
    expect(screen.getByRole("listitem", { name: "Not Mounted" }).textContent).toContain("/Volumes/Not Here");
    expect(one.textContent).toContain("Inbox/one.flac → Sorted/one.flac");
    expect(one.textContent).toContain("20.0 KB");
    expect((await findItem("cold.flac")).textContent).toContain("Archived");
    expect((await findItem("gone.flac")).textContent).toContain("Unverified");

    // Enter applies a ready move; the local endpoint is not AWS, so no console action.
    expect(actionsOf(one)).toEqual([
      "Apply Move",
      "Show Details [cmd+i]",
      "Apply All Moves in This Target [cmd+shift+return]",
      "Skip Move [ctrl+x]",
      "Show in Finder [cmd+o]",
      "Copy S3 URI [cmd+shift+c]",
      "Refresh [cmd+r]",
    ]);
    // Half of a swap says it brings the other half.
    expect(actionsOf(await findItem("left.flac"))[0]).toBe("Apply Move (with 1 Dependent Move)");
    // Enter shows the details of a move that cannot run now.
    expect(actionsOf(await findItem("cold.flac"))).toEqual([
      "Show Details [cmd+i]",
      "Apply All Moves in This Target [cmd+shift+return]",
      "Skip Move [ctrl+x]",
      "Show in Finder [cmd+o]",
      "Copy S3 URI [cmd+shift+c]",
      "Refresh [cmd+r]",
    ]);
    expect(actionsOf(await findItem("gone.flac"))).toEqual([
      "Show Details [cmd+i]",
      "Apply All Moves in This Target [cmd+shift+return]",
      "Show in Finder [cmd+o]",
      "Copy S3 URI [cmd+shift+c]",
      "Refresh [cmd+r]",
    ]);
    expect(actionsOf(screen.getByRole("listitem", { name: "Not Mounted" }))).toEqual(["Refresh [cmd+r]"]);

    act(one, "Copy S3 URI");
    act(one, "Show in Finder");
    await waitFor(() => expect(__raycast.clipboard).toEqual([`s3://${bucket}/Inbox/one.flac`]));
    expect(__raycast.finder).toEqual([path.join(v.root, "Sorted/one.flac")]);

    act(one, "Apply Move");
    await waitForToast("Moved one.flac");
    expect(await exists(bucket, "Sorted/one.flac")).toBe(true);
    expect(await exists(bucket, "Inbox/one.flac")).toBe(false);
    await waitFor(() => expect(screen.queryByRole("listitem", { name: "one.flac" })).toBeNull());

    act(await findItem("left.flac"), "Apply Move (with 1 Dependent Move)");
    await waitForToast("Applied 2 Moves");
    await settled();
    await waitFor(() => expect(titles("Vault")).not.toContain("right.flac"), { timeout: 20_000 });

    // Apply All asks first, with the counts; declined, nothing moves.
    __raycast.confirmAlertResponse = false;
    act(await findItem("three.flac"), "Apply All Moves in This Target");
    await waitFor(() => expect(__raycast.alerts).toHaveLength(1));
    expect(__raycast.alerts[0]).toEqual({
      title: "Apply 2 Moves in Vault?",
      message: `2 objects (40.0 KB) move inside s3://${bucket}/; nothing is uploaded. 1 archived move waits for a restore; aws uploads 1 unverified file instead.`,
      primaryAction: { title: "Apply Moves", style: "default" },
    });
    expect(await exists(bucket, "Inbox/three.flac")).toBe(true);

    __raycast.confirmAlertResponse = true;
    act(await findItem("three.flac"), "Apply All Moves in This Target");
    await waitFor(() => expect(__raycast.toasts.filter((t) => t.title === "Applied 2 Moves")).toHaveLength(2), {
      timeout: 30_000,
    });
    for (const name of ["two", "three"]) {
      expect(await exists(bucket, `Sorted/${name}.flac`)).toBe(true);
      expect(await exists(bucket, `Inbox/${name}.flac`)).toBe(false);
    }
    // The archived move waits for its restore; the unverifiable one is left to aws.
    expect(await exists(bucket, "Inbox/cold.flac")).toBe(true);
    await waitFor(() => expect(titles("Vault")).toEqual(["Note", "cold.flac", "gone.flac"]), { timeout: 20_000 });

    // Details: everything known about the move, and the move's own actions.
    act(await findItem("cold.flac"), "Show Details");
    const detail = await screen.findByRole("article");
    expect(within(detail).getByLabelText("Storage Class").textContent).toBe("GLACIER");
    expect(within(detail).getByLabelText("Old Key").textContent).toBe("Inbox/cold.flac");
    expect(within(detail).getByLabelText("New Key").textContent).toBe("Sorted/cold.flac");
    expect(within(detail).getByLabelText("Size").textContent).toContain("20,000 bytes");
    expect(Number(within(detail).getByLabelText("Inode").textContent)).toBeGreaterThan(0);
    expect(actionsOf(detail)).toEqual(["Skip Move [ctrl+x]", "Show in Finder [cmd+o]", "Copy S3 URI [cmd+shift+c]"]);
  });

  it("skips a move and undoes the skip", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("skip");
    v.file("a/one.flac", 2_000);
    await fx.sync(v, bucket, "Skip");
    v.rename("a/one.flac", "b/one.flac");
    fx.writeConfig([fx.line(v, bucket, "name=Skip")]);

    renderCommand(<PreviewMovesCommand />);
    act(await findItem("one.flac"), "Skip Move");
    const skipped = await waitForToast("Move Skipped");
    expect(skipped.primaryAction!.title).toBe("Undo");
    await waitFor(() => expect(screen.queryByRole("listitem", { name: "one.flac" })).toBeNull());
    await settled();
    expect(screen.getByText("No Pending Moves")).toBeTruthy();
    const { db } = await openStateDb({ volumeRoot: v.root, readOnly: true });
    expect(db.skippedMoves().map((s) => `${s.fromPath} → ${s.toPath}`)).toEqual(["a/one.flac → b/one.flac"]);
    db.close();

    await skipped.primaryAction!.onAction(skipped);
    expect(skipped.title).toBe("Skip Undone");
    expect(await findItem("one.flac")).toBeTruthy();
    const after = await openStateDb({ volumeRoot: v.root, readOnly: true });
    expect(after.db.skippedMoves()).toEqual([]);
    after.db.close();
  });

  it("previews beside a running sync and says one is running", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("busy");
    v.file("a/one.flac", 2_000);
    await fx.sync(v, bucket, "Busy");
    v.rename("a/one.flac", "b/one.flac");
    fx.writeConfig([fx.line(v, bucket, "name=Busy")]);
    const lock = await acquireVolumeLock(v.root, { command: "batch" });
    try {
      renderCommand(<PreviewMovesCommand />);
      const note = await findItem("A Sync Is Running on This Volume");
      expect(note.textContent).toContain(`A sync is running on this volume (batch, pid ${process.pid}`);
      expect(actionsOf(note)).toEqual(["Refresh [cmd+r]"]);
      expect(await findItem("one.flac")).toBeTruthy();
      expect(screen.queryByText(/locked/i)).toBeNull();
    } finally {
      await lock.release();
    }
  });

  it('says "No Pending Moves" with the time of the last sync', async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("calm");
    v.file("a.txt", 100);
    await fx.sync(v, bucket, "Calm");
    fx.writeConfig([fx.line(v, bucket, "name=Calm")]);
    renderCommand(<PreviewMovesCommand />);
    await settled();
    const empty = await screen.findByText("No Pending Moves");
    expect(empty.parentElement!.textContent).toMatch(/Last sync: .*\d/);
  });

  it("shows a config error, and offers Create Config when there is none", async () => {
    fx.writeConfig(["/Volumes/X | Not_A_Bucket"]);
    const first = renderCommand(<PreviewMovesCommand />);
    await settled();
    expect(await screen.findByText("Config Has Errors")).toBeTruthy();
    expect(screen.getByText(/Line 1: /)).toBeTruthy();
    first.unmount();

    const { rmSync } = await import("node:fs");
    rmSync(fx.configFile());
    renderCommand(<PreviewMovesCommand launchContext={{ target: "Any" }} />);
    await settled();
    const empty = await screen.findByText("No Config File");
    act(empty.parentElement!, "Create Config");
    await waitForToast("Config Created");
    expect(readFileSync(fx.configFile(), "utf8")).toMatch(/^# S3 Smart Sync configuration/);
  });

  it("opens the console only for AWS endpoints, on the key Copy S3 URI names", () => {
    expect(isAwsEndpoint({})).toBe(true);
    expect(isAwsEndpoint({ endpointUrl: "https://s3.eu-west-1.amazonaws.com" })).toBe(true);
    expect(isAwsEndpoint({ endpointUrl: "https://s3.example.com" })).toBe(false);
    expect(isAwsEndpoint({ endpointUrl: "http://127.0.0.1:9000" })).toBe(false);
    const target = { name: "V", localPath: "/V", bucket: "b", prefix: "p", excludes: [], region: "eu-west-1" };
    expect(consoleUrl(target, "p/Inbox/a b.flac")).toBe(
      "https://s3.console.aws.amazon.com/s3/object/b?region=eu-west-1&prefix=p%2FInbox%2Fa%20b.flac",
    );
  });
});
