// Edit Config on real files: creating the config, the errors of a bad one shown with their lines, and the
// form writing targets back while every comment and the order of the other lines stay as they were.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import EditConfigCommand from "../../src/edit-config";
import { __raycast } from "../mocks/raycast-api";
import { act, findItem, renderCommand, settled, useUiFixture, waitForToast } from "./support/fixture";

const fx = useUiFixture();

function typeInto(label: string, value: string): void {
  fireEvent.change(screen.getByLabelText(label, { selector: "input" }), { target: { value } });
}

const saved = () => __raycast.toasts.filter((t) => t.title === "Target Saved").length;

function submit(): void {
  act(screen.getByTestId("view"), "Save Target");
}

describe("Edit Config", () => {
  it("creates the config when there is none", async () => {
    renderCommand(<EditConfigCommand />);
    await settled();
    const empty = await screen.findByText("No Config File");
    act(empty.parentElement!, "Create Config");
    await waitForToast("Config Created");
    expect(readFileSync(fx.configFile(), "utf8")).toMatch(/^# S3 Smart Sync configuration/);
    expect(await screen.findByText("No Targets")).toBeTruthy();
  });

  it("lists targets and shows each error with its line", async () => {
    fx.writeConfig([
      "# music",
      "/Volumes/Music | music-bucket | lib",
      "",
      "/Volumes/Bad | Bad_Bucket",
      "/Volumes/Video | video-bucket",
    ]);
    renderCommand(<EditConfigCommand />);
    await settled();
    const errors = screen.getByRole("region", { name: "Errors" });
    const line4 = within(errors).getByRole("listitem", { name: "Line 4" });
    expect(line4.textContent).toMatch(/Bad_Bucket/);
    const targets = screen.getByRole("region", { name: "Targets" });
    expect(
      within(targets)
        .getAllByRole("listitem")
        .map((i) => i.getAttribute("aria-label")),
    ).toEqual(["Music", "Video"]);
    expect((await findItem("Music")).textContent).toContain("/Volumes/Music → s3://music-bucket/lib/");

    act(line4, "Open Config in Editor");
    act(line4, "Show in Finder");
    expect(__raycast.opened).toEqual([{ target: fx.configFile(), application: undefined }]);
    expect(__raycast.finder).toEqual([fx.configFile()]);
  });

  it("edits, adds, duplicates and removes targets, keeping comments and order", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "s3ss-pick-"));
    const file = fx.writeConfig([
      "# my volumes",
      "~/Music/. | music-bucket | lib | .*, */.* | profile=home",
      "# the big one",
      "/Volumes/Video | video-bucket",
    ]);
    renderCommand(<EditConfigCommand />);
    await settled();

    // Edit: a bad bucket name is refused by the schema, next to its field.
    act(await findItem("Music"), "Edit Target");
    expect((screen.getByLabelText("Bucket", { selector: "input" }) as HTMLInputElement).value).toBe("music-bucket");
    expect((screen.getByLabelText("Excludes", { selector: "input" }) as HTMLInputElement).value).toBe(".*, */.*");
    typeInto("Bucket", "Music_Bucket");
    submit();
    expect((await screen.findByRole("alert")).textContent).toMatch(/^Bucket name may only contain lowercase/);
    typeInto("Bucket", "music-archive");
    typeInto("Region", "eu-west-1");
    submit();
    await waitForToast("Target Saved");
    expect(readFileSync(file, "utf8")).toBe(
      [
        "# my volumes",
        "~/Music/. | music-archive | lib | .*, */.* | profile=home, region=eu-west-1",
        "# the big one",
        "/Volumes/Video | video-bucket",
        "",
      ].join("\n"),
    );

    // Add: appended after the last line.
    await settled();
    act(await findItem("Video"), "Add Target");
    typeInto("Local Folder", folder);
    typeInto("Bucket", "photo-bucket");
    typeInto("Name", "Photos");
    submit();
    await waitFor(() => expect(saved()).toBe(2));
    expect(readFileSync(file, "utf8").trim().split("\n").at(-1)).toBe(`${folder} | photo-bucket | | | name=Photos`);

    // Duplicate: the same folder, then the same destination, are refused as the parser refuses them.
    await settled();
    act(await findItem("Video"), "Duplicate Target");
    submit();
    await waitForToast("Could Not Save Target");
    typeInto("Local Folder", `${folder}-more`);
    submit();
    await waitFor(() => expect(__raycast.toasts.filter((t) => t.title === "Could Not Save Target")).toHaveLength(2));
    expect(__raycast.toasts.at(-1)!.message).toMatch(/overlaps s3:\/\/video-bucket of line 4/);
    typeInto("Bucket", "video-copy");
    submit();
    await waitFor(() => expect(saved()).toBe(3));
    expect(readFileSync(file, "utf8").trim().split("\n").at(-1)).toBe(`${`${folder}-more`} | video-copy`);

    // Remove: after a confirmation; the other lines and comments stay.
    await settled();
    act(await findItem("Video"), "Remove Target");
    await waitForToast("Target Removed");
    expect(__raycast.alerts[0]!.title).toBe("Remove Video?");
    const lines = readFileSync(file, "utf8").split("\n");
    expect(lines.slice(0, 3)).toEqual([
      "# my volumes",
      "~/Music/. | music-archive | lib | .*, */.* | profile=home, region=eu-west-1",
      "# the big one",
    ]);
    expect(lines.some((l) => l.startsWith("/Volumes/Video"))).toBe(false);
    expect(existsSync(file)).toBe(true);
  });
});
