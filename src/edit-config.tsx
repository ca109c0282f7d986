export { default } from "./commands/edit-config";
