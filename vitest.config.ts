import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const mock = (file: string) => fileURLToPath(new URL(`./test/mocks/${file}`, import.meta.url));

export default defineConfig({
  test: {
    // Integration tests run the real CLI and aws CLI several times each; shared machines are slow.
    testTimeout: 240_000,
    hookTimeout: 60_000,
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    // The run's own temporary folder (TMPDIR) and state folder, removed when it ends.
    globalSetup: ["test/support/global-setup.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "engine",
          environment: "node",
          // Integration files spend much of their time waiting on child processes (CLI, aws, the server), but
          // those are busy too: three at a time was no faster on 2 cores (CI 989 s against 915 s with two).
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
          include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
          exclude: ["**/node_modules/**", "test/ui/**"],
        },
      },
      {
        // The Raycast commands against a recording mock of @raycast/api and @raycast/utils (which ship
        // types only), a real engine and the local S3 server. Rendering needs a DOM: happy-dom.
        extends: true,
        resolve: {
          alias: {
            "@raycast/api": mock("raycast-api.tsx"),
            "@raycast/utils": mock("raycast-utils.ts"),
          },
        },
        test: {
          name: "ui",
          environment: "./test/ui/support/happy-dom-node.ts",
          include: ["test/ui/**/*.test.ts", "test/ui/**/*.test.tsx"],
          setupFiles: ["test/ui/support/setup.ts"],
          // Each file starts its own S3 server and worker processes; two at a time suit a 2-core machine.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
