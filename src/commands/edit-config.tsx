// Edit Config: the targets of the config file, edited in a form.
import { ConfigList } from "./config/config-list";

export default function Command() {
  return <ConfigList />;
}
