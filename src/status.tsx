export { default } from "./commands/status";
