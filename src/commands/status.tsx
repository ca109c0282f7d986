// Status: where every target stands.
import { StatusList } from "./status/status-list";

export default function Command() {
  return <StatusList />;
}
