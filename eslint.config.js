import raycastConfig from "@raycast/eslint-config";
import { defineConfig } from "eslint/config";

export default defineConfig([
  { ignores: ["node_modules/", "dist/", "raycast-env.d.ts", "assets/", "bench/results/"] },
  ...raycastConfig,
  {
    rules: {
      // `{ source: _source, ...rest }` drops a field on purpose.
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true, argsIgnorePattern: "^_" }],
    },
  },
]);
