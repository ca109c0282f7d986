// `restore` and `restore-status`: the archived-object flow of DESIGN.md, as terminal commands.
import { restoreStatus, startRestores, type RestoreItem, type RestoreTierName } from "../engine/archive";
import type { Target } from "../engine/types";
import type { CliIO, GlobalOptions } from "./main";
import { EXIT } from "./output";

function render(io: CliIO, items: RestoreItem[], json: boolean | undefined, empty: string): void {
  if (json) {
    io.stdout.write(JSON.stringify({ restores: items }) + "\n");
    return;
  }
  if (items.length === 0) {
    io.stdout.write(`${empty}\n`);
    return;
  }
  for (const item of items) {
    const extra = [
      item.expected ? `expected ${item.expected}` : "",
      item.expiry ? `available until ${item.expiry}` : "",
      item.detail ?? "",
    ]
      .filter(Boolean)
      .join("; ");
    io.stdout.write(
      `${item.state.padEnd(11)} ${item.srcKey} (${item.storageClass}) → ${item.toPath}${extra ? `  (${extra})` : ""}\n`,
    );
  }
}

export async function restoreCommand(
  io: CliIO,
  target: Target,
  o: GlobalOptions & { tier: string; days: number },
): Promise<number> {
  const items = await startRestores(target, { tier: o.tier as RestoreTierName, days: o.days });
  render(io, items, o.json, "No moves are waiting for a restore.");
  if (!o.json && items.some((i) => i.state === "in-progress"))
    io.stdout.write(
      "Run `s3-smart-sync restore-status` to follow them; the next sync after a restore completes makes the moves.\n",
    );
  return items.some((i) => i.state === "failed") ? EXIT.FAILED : EXIT.OK;
}

export async function restoreStatusCommand(io: CliIO, target: Target, o: GlobalOptions): Promise<number> {
  const items = await restoreStatus(target);
  render(io, items, o.json, "No moves are waiting for a restore.");
  return EXIT.OK;
}
