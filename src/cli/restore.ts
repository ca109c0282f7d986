// `restore` and `restore-status`: the archived-object flow of DESIGN.md, as terminal commands.
import { restoreStatus, startRestores, type RestoreItem, type RestoreTierName } from "../engine/archive";
import type { Target } from "../engine/types";
import type { CliIO, GlobalOptions } from "./main";
import { EXIT } from "./output";
import { jsonLine, StreamOutput } from "./stream-output";

/** Every move waiting for a restore, a line (or a JSON element) each: a renamed archive has a million. */
async function render(io: CliIO, items: RestoreItem[], json: boolean | undefined, empty: string): Promise<void> {
  const out = new StreamOutput(io.stdout);
  if (json) out.write(jsonLine({ restores: items }, [items]));
  else if (items.length === 0) out.write([`${empty}\n`]);
  else out.write(itemLines(items));
  await out.flushed();
}

/** One line at a time as the output takes them: a million lines are not built at once. */
function* itemLines(items: RestoreItem[]): Generator<string> {
  for (const item of items) yield itemLine(item);
}

function itemLine(item: RestoreItem): string {
  const extra = [
    item.expected ? `expected ${item.expected}` : "",
    item.expiry ? `available until ${item.expiry}` : "",
    item.detail ?? "",
  ]
    .filter(Boolean)
    .join("; ");
  return `${item.state.padEnd(11)} ${item.srcKey} (${item.storageClass}) → ${item.toPath}${extra ? `  (${extra})` : ""}\n`;
}

export async function restoreCommand(
  io: CliIO,
  target: Target,
  o: GlobalOptions & { tier: string; days: number },
): Promise<number> {
  const items = await startRestores(target, { tier: o.tier as RestoreTierName, days: o.days });
  await render(io, items, o.json, "No moves are waiting for a restore.");
  if (!o.json && items.some((i) => i.state === "in-progress"))
    io.stdout.write(
      "Run `s3-smart-sync restore-status` to follow them; the next sync after a restore completes makes the moves.\n",
    );
  return items.some((i) => i.state === "failed") ? EXIT.FAILED : EXIT.OK;
}

export async function restoreStatusCommand(io: CliIO, target: Target, o: GlobalOptions): Promise<number> {
  const items = await restoreStatus(target);
  await render(io, items, o.json, "No moves are waiting for a restore.");
  return EXIT.OK;
}
