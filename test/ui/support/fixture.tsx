// What every UI test needs: the local S3 server with the AWS environment pointing at it (the commands run
// the real engine in-process and start the real worker), temporary volumes, a config file named in the
// preferences, and helpers to find items and trigger actions the way a person would.
import { S3Client } from "@aws-sdk/client-s3";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ReactElement } from "react";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { runTarget } from "../../../src/engine";
import type { Target } from "../../../src/engine";
import { __NavigationRoot, __raycast, environment } from "../../mocks/raycast-api";
import { awsOnPath } from "../../support/cli";
import { awsEnv, s3ClientConfig, useLocalS3, type LocalS3 } from "../../support/local-s3";
import { Volume } from "../../support/volume";

export interface UiFixture {
  local: LocalS3;
  client: () => S3Client;
  dir: () => string;
  configFile: () => string;
  volume: (name?: string) => Volume;
  bucket: () => Promise<string>;
  /** Writes the config (lines joined) and points the preferences at it. */
  writeConfig: (lines: string[]) => string;
  /** A config line for a volume on the local server. */
  line: (v: Volume | string, bucket: string, extra?: string) => string;
  /** Syncs a volume with the real engine and aws, as a first sync would. */
  sync: (v: Volume, bucket: string, name?: string) => Promise<void>;
  target: (v: Volume, bucket: string, name?: string) => Target;
}

export function useUiFixture(): UiFixture {
  const local = useLocalS3();
  let client: S3Client;
  let dir = "";
  let buckets = 0;
  const volumes: Volume[] = [];
  const saved = { ...process.env };

  beforeAll(() => {
    // The engine (in-process) and the worker (its environment) read credentials the usual way.
    for (const [key, value] of Object.entries(awsEnv(local))) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    client = new S3Client(s3ClientConfig(local));
  });
  afterAll(() => {
    process.env = saved;
  });
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "s3ss-ui-"));
    environment.supportPath = path.join(dir, "support");
    mkdirSync(environment.supportPath, { recursive: true });
    __raycast.preferences = { configPath: path.join(dir, "smart-sync.conf"), awsCliPath: awsOnPath() };
  });
  afterEach(() => {
    while (volumes.length) volumes.pop()!.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const fixture: UiFixture = {
    local,
    client: () => client,
    dir: () => dir,
    configFile: () => path.join(dir, "smart-sync.conf"),
    volume(name) {
      const v = new Volume(name);
      volumes.push(v);
      return v;
    },
    async bucket() {
      const name = `ui-${++buckets}-${process.pid}-${Date.now() % 100000}`;
      await local.createBucket(name);
      return name;
    },
    writeConfig(lines) {
      const file = fixture.configFile();
      writeFileSync(file, lines.join("\n") + "\n");
      return file;
    },
    line(v, bucket, extra) {
      const root = typeof v === "string" ? v : v.root;
      return `${root} | ${bucket} | | | endpoint=${local.endpoint}${extra ? `, ${extra}` : ""}`;
    },
    target(v, bucket, name = path.basename(v.root)) {
      return {
        name,
        localPath: v.root,
        bucket,
        prefix: "",
        excludes: [],
        endpointUrl: local.endpoint,
        awsCli: awsOnPath(),
      };
    },
    async sync(v, bucket, name) {
      const report = await runTarget(fixture.target(v, bucket, name), { command: "sync", env: process.env });
      if (report.status !== "ok") throw new Error(`setup sync failed: ${JSON.stringify(report.error ?? report.aws)}`);
    },
  };
  return fixture;
}

export function renderCommand(element: ReactElement) {
  return render(<__NavigationRoot>{element}</__NavigationRoot>);
}

/** The list item titled `title` (waits for it). */
export async function findItem(title: string | RegExp, timeout = 20_000): Promise<HTMLElement> {
  return screen.findByRole("listitem", { name: title }, { timeout });
}

/** The actions of an item (or view) in order, as `title [shortcut]`: the first is Enter's, the second ⌘↵'s. */
export function actionsOf(scope: HTMLElement): string[] {
  return within(scope)
    .queryAllByRole("button")
    .map((b) => `${b.dataset.action}${b.dataset.shortcut ? ` [${b.dataset.shortcut}]` : ""}`);
}

/** The menu bar item titled `title` (enabled items are buttons, disabled ones text). */
export function menuItem(title: string | RegExp, scope: HTMLElement = document.body): HTMLElement {
  return within(scope).getByRole("menuitem", { name: title });
}

/** Clicks the action titled `title` inside `scope` (an item, a view). */
export function act(scope: HTMLElement, title: string): void {
  const button = within(scope)
    .getAllByRole("button")
    .find((b) => b.dataset.action === title);
  if (!button) {
    const titles = within(scope)
      .queryAllByRole("button")
      .map((b) => b.dataset.action);
    throw new Error(`No action "${title}" here; actions: ${titles.join(", ")}`);
  }
  fireEvent.click(button);
}

export function toastTitled(title: string | RegExp) {
  return __raycast.toasts.find((t) => (typeof title === "string" ? t.title === title : title.test(t.title)));
}

export async function waitForToast(title: string | RegExp, timeout = 30_000) {
  await waitFor(
    () => {
      if (!toastTitled(title))
        throw new Error(
          `no toast ${title}; toasts: ${__raycast.toasts.map((t) => `${t.title}: ${t.message}`).join(" | ")}`,
        );
    },
    { timeout, interval: 100 },
  );
  return toastTitled(title)!;
}

/** Waits until the list is done loading. */
export async function settled(timeout = 30_000): Promise<void> {
  await waitFor(
    () => {
      const lists = document.querySelectorAll("[data-list]");
      if (lists.length === 0 || Array.from(lists).some((l) => l.getAttribute("data-loading") === "true"))
        throw new Error("loading");
    },
    { timeout, interval: 50 },
  );
}
