// Every UI test starts from no toasts, no HUDs, default preferences and an empty fetch cache.
import { cleanup } from "@testing-library/react";
import { afterEach, beforeEach } from "vitest";
import { __raycast } from "../../mocks/raycast-api";
import { __resetCache } from "../../mocks/raycast-utils";

beforeEach(() => {
  __raycast.reset();
  __resetCache();
});

afterEach(() => {
  cleanup();
});
