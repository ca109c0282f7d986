export { default } from "./commands/scheduled-sync";
