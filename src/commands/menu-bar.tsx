// Sync Menu Bar (menu-bar command, refreshed on an interval): the state of every sync at a glance.
import { SyncMenuBar } from "./menu-bar/menu-bar";

export default function Command() {
  return <SyncMenuBar />;
}
