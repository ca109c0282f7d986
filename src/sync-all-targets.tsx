export { default } from "./commands/sync-all-targets";
