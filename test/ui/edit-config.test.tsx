// Edit Config on real files: creating the config, the errors of a bad one shown with their lines, and the
// form writing targets back while every comment and the order of the other lines stay as they were.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import EditConfigCommand from "../../src/edit-config";
import { __raycast } from "../mocks/raycast-api";
import { act, findItem, renderCommand, settled, useUiFixture, waitForToast } from "./support/fixture";

const fx = useUiFixture();

function typeInto(label: string, value: string): void {
  fireEvent.change(screen.getByLabelText(label, { selector: "input" }), { target: { value } });
}

function choose(label: string, value: string): void {
  fireEvent.change(screen.getByLabelText(label, { selector: "select" }), { target: { value } });
}

function options(label: string): string[] {
  const select = screen.getByLabelText(label, { selector: "select" }) as HTMLSelectElement;
  return Array.from(select.options).map((o) => `${o.value}=${o.textContent}`);
}

const saved = () => __raycast.toasts.filter((t) => t.title === "Target Saved").length;

function valueOf(label: string): string {
  return (screen.getByLabelText(label, { selector: "input" }) as HTMLInputElement).value;
}

function selected(label: string): string {
  return (screen.getByLabelText(label, { selector: "select" }) as HTMLSelectElement).value;
}

function placeholderOf(label: string): string | null {
  return screen.getByLabelText(label, { selector: "input" }).getAttribute("placeholder");
}

function submit(): void {
  act(screen.getByTestId("view"), "Save Target");
}

describe("Edit Config", () => {
  it("creates the config when there is none", async () => {
    renderCommand(<EditConfigCommand />);
    await settled();
    expect(document.querySelector("[data-list]")!.getAttribute("data-navigation-title")).toBeNull();
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
    choose("Region", "eu-west-1");
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

  it("picks the profile from the AWS files or takes a typed one, and edits region, storage class and archived moves", async () => {
    const aws = mkdtempSync(path.join(tmpdir(), "s3ss-aws-"));
    writeFileSync(
      path.join(aws, "config"),
      ["[default]", "region = eu-west-1", "[profile work]", "[sso-session corp]", "[profile backup] # nightly"].join(
        "\n",
      ),
    );
    writeFileSync(path.join(aws, "credentials"), ["[default]", "aws_access_key_id = x", "[legacy]"].join("\n"));
    const saved = { config: process.env.AWS_CONFIG_FILE, credentials: process.env.AWS_SHARED_CREDENTIALS_FILE };
    process.env.AWS_CONFIG_FILE = path.join(aws, "config");
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(aws, "credentials");
    try {
      const file = fx.writeConfig(["# one", "/Volumes/Music | music-bucket | | | storage_class=STANDARD_IA"]);
      renderCommand(<EditConfigCommand />);
      await settled();
      act(await findItem("Music"), "Edit Target");
      await waitFor(() =>
        expect(options("AWS Profile")).toEqual([
          "=Default Credentials",
          "default=default",
          "backup=backup",
          "legacy=legacy",
          "work=work",
        ]),
      );
      expect((screen.getByLabelText("Storage Class", { selector: "select" }) as HTMLSelectElement).value).toBe(
        "STANDARD_IA",
      );
      expect(options("Region")).toContain("eu-central-2=eu-central-2");
      expect(options("Archived Objects")).toEqual([
        "=Default (Wait for a Restore)",
        "wait=Wait for a Restore (No Upload)",
        "upload=Upload the File Again",
      ]);

      // A profile that is in no file yet: typed into the dropdown's search, then picked.
      typeInto("AWS Profile Search", "new-team");
      expect(options("AWS Profile")).toContain('new-team=Use "new-team"');
      choose("AWS Profile", "new-team");
      typeInto("Region Search", "auto");
      choose("Region", "auto");
      choose("Storage Class", "GLACIER_IR");
      choose("Archived Objects", "upload");
      submit();
      await waitForToast("Target Saved");
      // The line's storage class stays where it was; the options it did not have follow it.
      expect(readFileSync(file, "utf8").split("\n")[1]).toBe(
        "/Volumes/Music | music-bucket | | | storage_class=GLACIER_IR, profile=new-team, region=auto, archived=upload",
      );
    } finally {
      process.env.AWS_CONFIG_FILE = saved.config;
      process.env.AWS_SHARED_CREDENTIALS_FILE = saved.credentials;
      if (saved.config === undefined) delete process.env.AWS_CONFIG_FILE;
      if (saved.credentials === undefined) delete process.env.AWS_SHARED_CREDENTIALS_FILE;
    }
  });
  it("shows a target's advanced options, checks them by the config's own rules and writes them as the file does", async () => {
    const file = fx.writeConfig([
      "/Volumes/Music | music-bucket | | | concurrency=8, max_delete_share=30%, aws_cli=/opt/aws/bin/aws",
      "/Volumes/Video | video-bucket",
    ]);
    renderCommand(<EditConfigCommand />);
    await settled();

    // A line without advanced options opens with them hidden; shown, they are empty (the defaults apply).
    act(await findItem("Video"), "Edit Target");
    const show = () => screen.getByLabelText("Show Advanced Options") as HTMLInputElement;
    expect(show().checked).toBe(false);
    expect(screen.queryByLabelText("S3 Requests at Once")).toBeNull();
    fireEvent.click(show());
    expect(valueOf("S3 Requests at Once")).toBe("");
    expect(valueOf("aws Part Size")).toBe("");
    // No defaults line: the placeholders are the built-in defaults.
    expect(placeholderOf("S3 Requests at Once")).toBe("16");
    expect(placeholderOf("aws Part Size")).toBe("Your aws config's, else 8MiB");
    expect(options("Addressing")[0]).toBe("=Default (Path-Style with an Endpoint URL)");
    submit();
    await waitFor(() => expect(saved()).toBe(1));
    expect(readFileSync(file, "utf8").split("\n")[1]).toBe("/Volumes/Video | video-bucket");

    // A line with some opens with them shown, in the file's own notation.
    await settled();
    act(await findItem("Music"), "Edit Target");
    expect(show().checked).toBe(true);
    expect(valueOf("S3 Requests at Once")).toBe("8");
    expect(valueOf("Deletion Cap (Share)")).toBe("30%");
    expect(valueOf("aws CLI")).toBe("/opt/aws/bin/aws");

    // Bad values are refused with the parser's words, next to their fields, and nothing is written.
    typeInto("Deletion Cap", "-3");
    typeInto("aws Part Size", "4MiB");
    submit();
    await waitFor(() => expect(screen.getAllByRole("alert")).toHaveLength(2));
    expect(screen.getAllByRole("alert").map((a) => a.textContent)).toEqual([
      "Deletion Cap must be a whole number of objects, 0 or more",
      "aws Part Size must be a multipart part size from 5MiB to 5GiB",
    ]);
    expect(saved()).toBe(1);

    // Fixed, one emptied (its option goes) and the addressing chosen: the line's options stay in its own
    // order, the new ones follow.
    typeInto("Deletion Cap", "2500");
    typeInto("aws Part Size", "16 MiB");
    typeInto("S3 Requests at Once", "");
    choose("Addressing", "false");
    submit();
    await waitFor(() => expect(saved()).toBe(2));
    expect(readFileSync(file, "utf8").split("\n")[0]).toBe(
      "/Volumes/Music | music-bucket | | | max_delete_share=30%, aws_cli=/opt/aws/bin/aws, path_style=false, max_deletes=2500, aws_multipart_chunksize=16MiB",
    );
  });

  it("shows what a field left empty inherits from the defaults line, and saving does not copy it onto the target", async () => {
    const text = [
      "# volumes",
      "defaults | profile=work, region=eu-west-1, endpoint=http://nas.local:9000, path_style=false, storage_class=STANDARD_IA, archived=upload, concurrency=32, max_delete_share=20%, aws_multipart_chunksize=16MiB",
      "/Volumes/Music | music-bucket",
      "/Volumes/Video | video-bucket | | | concurrency=4",
      "",
    ].join("\n");
    const file = fx.writeConfig(text.split("\n").slice(0, -1));
    expect(readFileSync(file, "utf8")).toBe(text);
    renderCommand(<EditConfigCommand />);
    await settled();

    // A target that sets none of them: each empty field says the defaults line's value, and where it comes from.
    act(await findItem("Music"), "Edit Target");
    await waitFor(() => expect(options("AWS Profile")[0]).toBe("=From the Defaults Line: work"));
    expect(options("Region")[0]).toBe("=From the Defaults Line: eu-west-1");
    expect(placeholderOf("Endpoint URL")).toBe("http://nas.local:9000 (from the defaults line)");
    expect(options("Storage Class")[0]).toBe("=From the Defaults Line: Standard-IA (Infrequent Access)");
    expect(options("Archived Objects")[0]).toBe("=From the Defaults Line: Upload the File Again");
    fireEvent.click(screen.getByLabelText("Show Advanced Options"));
    expect(placeholderOf("S3 Requests at Once")).toBe("32 (from the defaults line)");
    expect(placeholderOf("Deletion Cap (Share)")).toBe("20% (from the defaults line)");
    expect(placeholderOf("aws Part Size")).toBe("16MiB (from the defaults line)");
    expect(options("Addressing")[0]).toBe("=From the Defaults Line: Virtual-Hosted");
    // Options the defaults line leaves out keep the built-in default.
    expect(placeholderOf("Deletion Cap")).toBe("10000");
    expect(placeholderOf("aws Uploads at Once")).toBe("Your aws config's, else 10");
    expect(valueOf("S3 Requests at Once")).toBe("");
    expect(valueOf("Endpoint URL")).toBe("");
    // Saved with the fields empty: the line stays as it was, the defaults are not written onto it.
    submit();
    await waitFor(() => expect(saved()).toBe(1));
    expect(readFileSync(file, "utf8")).toBe(text);

    // A target's own value is the field's; emptied, the placeholder says what it falls back to, and the option goes.
    await settled();
    act(await findItem("Video"), "Edit Target");
    expect(valueOf("S3 Requests at Once")).toBe("4");
    expect(placeholderOf("S3 Requests at Once")).toBe("32 (from the defaults line)");
    typeInto("S3 Requests at Once", "");
    submit();
    await waitFor(() => expect(saved()).toBe(2));
    expect(readFileSync(file, "utf8").split("\n")[3]).toBe("/Volumes/Video | video-bucket");

    // A new target inherits the same.
    await settled();
    act(await findItem("Music"), "Add Target");
    fireEvent.click(screen.getByLabelText("Show Advanced Options"));
    expect(placeholderOf("S3 Requests at Once")).toBe("32 (from the defaults line)");
    expect(options("Storage Class")[0]).toBe("=From the Defaults Line: Standard-IA (Infrequent Access)");
  });

  it("keeps every value the user leaves alone as the line writes it, and writes an edited `~` path as typed", async () => {
    const folder = mkdtempSync(path.join(tmpdir(), "s3ss-pick-"));
    const pics =
      "~/Pictures/. | photo-bucket | /2024/ | .*,*/.* | name=Pics, endpoint=HTTP://NAS.local:9000/, path_style=TRUE, " +
      "storage_class=standard_ia, archived=Upload, aws_cli=~/bin/aws, concurrency=8, prove_min_size=262144, " +
      "hash_budget=1.5 GiB, part_size=16MB, max_delete_share=33.333%, aws_multipart_chunksize=16777216";
    const vault = "/Volumes/Vault/./ | vault-bucket | crates/ | *.tmp";
    const text = [
      "# my volumes",
      "defaults | aws_cli=~/bin/aws-default, max_deletes=0500, aws_multipart_chunksize=8388608",
      pics,
      vault,
      "",
    ].join("\n");
    const file = fx.writeConfig(text.split("\n").slice(0, -1));
    renderCommand(<EditConfigCommand />);
    await settled();

    // The form shows the line as written, not as the parser resolves it.
    act(await findItem("Pics"), "Edit Target");
    expect(valueOf("Local Folder")).toBe(path.join(homedir(), "Pictures"));
    expect(valueOf("Prefix")).toBe("/2024/");
    expect(valueOf("Excludes")).toBe(".*,*/.*");
    expect(valueOf("Endpoint URL")).toBe("HTTP://NAS.local:9000/");
    expect(selected("Storage Class")).toBe("STANDARD_IA");
    expect(selected("Archived Objects")).toBe("upload");
    expect(valueOf("aws CLI")).toBe("~/bin/aws");
    expect(selected("Addressing")).toBe("true");
    expect(valueOf("Smallest File to Prove")).toBe("262144");
    expect(valueOf("Hashing Budget per Run")).toBe("1.5 GiB");
    expect(valueOf("Other Uploader's Part Size")).toBe("16MB");
    expect(valueOf("Deletion Cap (Share)")).toBe("33.333%");
    expect(valueOf("aws Part Size")).toBe("16777216");
    // So does a placeholder for the defaults line's value.
    expect(placeholderOf("aws CLI")).toBe("~/bin/aws-default (from the defaults line)");
    expect(placeholderOf("Deletion Cap")).toBe("0500 (from the defaults line)");
    expect(placeholderOf("aws Part Size")).toBe("8388608 (from the defaults line)");

    // One unrelated field changed: every other value of the line stays byte for byte, and the other lines too.
    typeInto("S3 Requests at Once", "12");
    submit();
    await waitFor(() => expect(saved()).toBe(1));
    const afterConcurrency = pics.replace("concurrency=8", "concurrency=12");
    expect(readFileSync(file, "utf8")).toBe(text.replace(pics, afterConcurrency));

    // Edited values are written anew: a `~` path as typed (not expanded), a size in its new spelling.
    await settled();
    act(await findItem("Pics"), "Edit Target");
    typeInto("aws CLI", "~/tools/aws");
    typeInto("aws Part Size", "16MiB");
    submit();
    await waitFor(() => expect(saved()).toBe(2));
    const afterAws = afterConcurrency
      .replace("aws_cli=~/bin/aws", "aws_cli=~/tools/aws")
      .replace("aws_multipart_chunksize=16777216", "aws_multipart_chunksize=16MiB");
    expect(readFileSync(file, "utf8").split("\n")[2]).toBe(afterAws);

    // A path with `/.` and slashes, saved unchanged, stays as written too.
    await settled();
    act(await findItem("Vault"), "Edit Target");
    expect(valueOf("Local Folder")).toBe("/Volumes/Vault");
    submit();
    await waitFor(() => expect(saved()).toBe(3));
    expect(readFileSync(file, "utf8")).toBe(text.replace(pics, afterAws));

    // Duplicate: the copy is written with the line's own values, less the name and the folder.
    await settled();
    act(await findItem("Pics"), "Duplicate Target");
    expect(valueOf("Name")).toBe("");
    typeInto("Local Folder", folder);
    typeInto("Bucket", "photo-copy");
    submit();
    await waitFor(() => expect(saved()).toBe(4));
    expect(readFileSync(file, "utf8").trim().split("\n").at(-1)).toBe(
      afterAws.replace("~/Pictures/. | photo-bucket", `${folder} | photo-copy`).replace("name=Pics, ", ""),
    );
  });
});
