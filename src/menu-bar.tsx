export { default } from "./commands/menu-bar";
