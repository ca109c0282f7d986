// Sync Status: where every target stands. The menu bar launches it with `confirmDeletes` to have a refused
// deletion confirmed.
import { StatusList } from "./status/status-list";

export default function Command(props: { launchContext?: { confirmDeletes?: string } }) {
  return <StatusList confirmDeletesFor={props.launchContext?.confirmDeletes} />;
}
