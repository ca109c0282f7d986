// Entry of assets/worker.mjs: the engine's CLI, bundled so that Raycast can start it detached with its own
// Node (DESIGN.md "Long runs started from Raycast"). A bundle has no node_modules to find sql.js's wasm in,
// so the copy next to it (assets/sql-wasm.wasm) is loaded first; the engine keeps that module.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { initSql, loadSqlWasm } from "../engine";

const here = path.dirname(fileURLToPath(import.meta.url));
await initSql(await loadSqlWasm(path.join(here, "sql-wasm.wasm")));

await import("../cli/index");
