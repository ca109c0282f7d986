// What Raycast loads for each command: bundled as `ray build` bundles it (esbuild, @raycast/* and react
// provided), a command must not carry the engine's heavy stages, sql.js or the AWS SDK. Those run in the
// CLI bundle the commands start as a child process (assets/worker.mjs).
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const commands = (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { commands: { name: string }[] })
  .commands;

const HEAVY = [
  /^src\/engine\/(db|scanner|planner|run|batch|mover|move-batch|journal|recorder|status|archive)\.ts$/,
  /^src\/engine\/(s3|aws-cli)\//,
  /node_modules\/(sql\.js|@aws-sdk|@smithy)\//,
];

it.each(commands.map((c) => c.name))("the %s command bundle holds no scan, DB, plan or S3 code", async (name) => {
  const result = await build({
    entryPoints: [path.join(root, `src/${name}.tsx`)],
    bundle: true,
    platform: "node",
    format: "cjs",
    write: false,
    metafile: true,
    logLevel: "silent",
    external: ["@raycast/api", "@raycast/utils", "react", "react/jsx-runtime"],
  });
  const inputs = Object.keys(result.metafile.inputs);
  expect(inputs.some((i) => i.startsWith(`src/commands/`))).toBe(true);
  expect(inputs.filter((i) => HEAVY.some((pattern) => pattern.test(i)))).toEqual([]);
});
