// Preview Moves shows what each move rests on: a rename found after the state DB was lost is proven by
// content (tag "Hash"), a duplicated file is a server-side copy (tag "Copy"); Show Details names the proof.
import { screen, within } from "@testing-library/react";
import { rmSync } from "node:fs";
import { describe, expect, it } from "vitest";
import PreviewMovesCommand from "../../src/preview-moves";
import { act, findItem, renderCommand, settled, useUiFixture } from "./support/fixture";

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
});
