export { default } from "./commands/preview-moves";
