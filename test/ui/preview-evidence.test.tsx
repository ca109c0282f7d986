// Preview Moves shows what each move rests on: a rename found after the state DB was lost is proven by
// content (tag "Hash"), a duplicated file is a server-side copy (tag "Copy"); Show Details names the proof.
import { screen, within } from "@testing-library/react";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import PreviewMovesCommand from "../../src/preview-moves";
import { act, actionsOf, findItem, renderCommand, settled, useUiFixture } from "./support/fixture";

const fx = useUiFixture();

describe("Preview Moves: evidence", () => {
  it("tags moves proven by hash and copies, and names the proof in the details", async () => {
    const bucket = await fx.bucket();
    const v = fx.volume("photos");
    v.file("Inbox/beach.jpg", 400_000);
    v.file("Inbox/hills.jpg", 500_000);
    await fx.sync(v, bucket, "Photos");
    v.rename("Inbox/beach.jpg", "2024/beach.jpg");
    v.file("Album/hills copy.jpg", 500_000, "Inbox/hills.jpg"); // the same bytes as hills.jpg
    rmSync(v.abs(".s3-smart-sync.db"));
    fx.writeConfig([fx.line(v, bucket, "name=Photos")]);

    renderCommand(<PreviewMovesCommand />);
    const beach = await findItem("beach.jpg");
    await settled();
    expect(beach.textContent).toContain("Inbox/beach.jpg → 2024/beach.jpg");
    expect(beach.textContent).toContain("Hash");
    const copy = await findItem("hills copy.jpg");
    expect(copy.textContent).toContain("Copy");
    expect(copy.textContent).toContain("Hash");

    act(beach, "Show Details");
    const detail = await screen.findByRole("article");
    expect(within(detail).getByLabelText("Evidence").textContent).toBe("hash (MD5)");
  });

  it("shows a file moved from another target as a copy from that target, made by the next sync of all targets", async () => {
    const [workBucket, archiveBucket] = [await fx.bucket(), await fx.bucket()];
    const work = fx.volume("work");
    const archive = fx.volume("archive");
    work.file("Project/take.wav", 400_000);
    work.file("keep.doc", 300_000);
    archive.file("old.doc", 300_000);
    await fx.sync(work, workBucket, "Work");
    await fx.sync(archive, archiveBucket, "Archive");
    mkdirSync(path.dirname(archive.abs("2024/take.wav")), { recursive: true });
    cpSync(work.abs("Project/take.wav"), archive.abs("2024/take.wav"), { preserveTimestamps: true });
    rmSync(work.abs("Project"), { recursive: true });
    fx.writeConfig([fx.line(work, workBucket, "name=Work"), fx.line(archive, archiveBucket, "name=Archive")]);

    renderCommand(<PreviewMovesCommand />);
    const take = await findItem("take.wav");
    await settled();
    expect(take.textContent).toContain("Project/take.wav → 2024/take.wav");
    expect(take.textContent).toContain("From Work");
    // Made by a sync of both targets: no Apply or Skip of this target alone.
    expect(actionsOf(take).join("\n")).not.toMatch(/Apply Move|Skip Move/);

    act(take, "Show Details");
    const detail = await screen.findByRole("article");
    expect(within(detail).getByLabelText("Evidence").textContent).toBe(
      "cross-target (MD5), a copy from Work: its sync then deletes the object there",
    );
    expect(within(detail).getByLabelText("Old Key").textContent).toBe(`s3://${workBucket}/Project/take.wav`);
  });
});
