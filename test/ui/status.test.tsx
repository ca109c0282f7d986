// Status against a real volume: what is pending since the last sync, the drill-down to the files, and the
// actions (sync this target through the worker, preview its moves, open its log, show it in Finder).
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import StatusCommand from "../../src/status";
import { __raycast } from "../mocks/raycast-api";
import { act, findItem, renderCommand, settled, useUiFixture, waitForToast } from "./support/fixture";

const fx = useUiFixture();

describe("Status", () => {
  it("shows each target's pending changes and acts on them", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("photos");
    v.file("keep.jpg", 1000);
    v.file("edit.jpg", 1000);
    v.file("drop.jpg", 1000);
    v.file("old/name.jpg", 5000);
    await fx.sync(v, bucket, "Photos");
    v.file("new.jpg", 2000);
    await new Promise((r) => setTimeout(r, 1100));
    v.file("edit.jpg", 1500, "edited");
    v.remove("drop.jpg");
    v.rename("old/name.jpg", "renamed/name.jpg");
    fx.writeConfig([
      fx.line(v, bucket, "name=Photos"),
      fx.line("/Volumes/Archive Disk", `${bucket}-x`, "name=Archive"),
    ]);

    renderCommand(<StatusCommand />);
    await settled();
    const photos = await findItem("Photos");
    expect(photos.textContent).toContain("1 new · 1 modified · 1 deleted · 1 moved");
    expect(photos.textContent).toContain("Synced");
    expect(photos.textContent).toContain("0 B saved");
    expect((await findItem("Archive")).textContent).toContain("Not Mounted");

    act(photos, "Show in Finder");
    expect(__raycast.finder).toEqual([v.root]);
    act(photos, "Open Log");
    expect(__raycast.opened[0]!.target).toMatch(new RegExp(`^${v.root}/logs/s3-sync-sync-.*\\.log$`));

    act(photos, "Show Pending Files");
    const moved = await screen.findByRole("region", { name: "Moved" });
    expect(within(moved).getByRole("listitem").textContent).toContain("renamed/name.jpg");
    expect(within(moved).getByRole("listitem").textContent).toContain("from old/name.jpg");
    expect(
      within(screen.getByRole("region", { name: "New" }))
        .getByRole("listitem")
        .getAttribute("aria-label"),
    ).toBe("new.jpg");
    expect(
      within(screen.getByRole("region", { name: "Modified" }))
        .getByRole("listitem")
        .getAttribute("aria-label"),
    ).toBe("edit.jpg");
    expect(
      within(screen.getByRole("region", { name: "Deleted" }))
        .getByRole("listitem")
        .getAttribute("aria-label"),
    ).toBe("drop.jpg");
  });

  it("syncs one target through the worker and previews its moves", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("music");
    v.file("a/song.mp3", 40_000);
    v.file("b/other.mp3", 40_000);
    await fx.sync(v, bucket, "Music");
    v.rename("a/song.mp3", "c/song.mp3");
    fx.writeConfig([fx.line(v, bucket, "name=Music")]);

    renderCommand(<StatusCommand />);
    await settled();
    act(await findItem("Music"), "Preview Moves");
    const move = await findItem("song.mp3");
    expect(move.textContent).toContain("a/song.mp3 → c/song.mp3");
  });

  it("Sync This Target runs the worker and reports in a toast", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("music");
    v.file("a/song.mp3", 40_000);
    await fx.sync(v, bucket, "Music");
    v.rename("a/song.mp3", "c/song.mp3");
    v.file("fresh.mp3", 10);
    fx.writeConfig([fx.line(v, bucket, "name=Music")]);

    renderCommand(<StatusCommand />);
    await settled();
    expect((await findItem("Music")).textContent).toContain("1 new · 1 moved");
    act(await findItem("Music"), "Sync This Target");
    const done = await waitForToast("Sync Finished", 60_000);
    expect(done.message).toBe("1 target synced · 1 move · 40.0 KB not uploaded");
    expect(__raycast.toasts.find((t) => t.title === "Syncing Music")).toBeTruthy();
    await fx.client().send(new HeadObjectCommand({ Bucket: bucket, Key: "c/song.mp3" }));
    await fx.client().send(new HeadObjectCommand({ Bucket: bucket, Key: "fresh.mp3" }));
    await waitFor(async () => expect((await findItem("Music")).textContent).toContain("Up to date"), {
      timeout: 20_000,
    });
  });
});
