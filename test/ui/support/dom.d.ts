// The UI tests and the @raycast/api mock render into happy-dom: they need the DOM types the main tsconfig
// (Node only) leaves out.
/// <reference lib="dom" />
