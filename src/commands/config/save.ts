// Writing a target back into the config: only its line changes (comments, order and the other lines stay),
// and the whole file is parsed again before it is written, so a duplicate name or an overlapping
// destination is refused like the CLI would refuse it.
import { readFile, writeFile } from "node:fs/promises";
import {
  parseConfig,
  removeTargetFromText,
  upsertTargetInText,
  type AsWritten,
  type TargetInput,
} from "../../engine/config";
import { SmartSyncError } from "../../engine/errors";

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}

function lastTargetLine(text: string): number {
  const lines = text.split("\n");
  let n = lines.length;
  while (n > 0 && lines[n - 1]!.trim() === "") n--;
  return n;
}

/**
 * Adds the target (no `line`) or replaces the one on `line`, writing the values `asWritten` spells as it
 * spells them; throws CONFIG_INVALID with the problem.
 */
export async function saveTarget(
  file: string,
  input: TargetInput,
  line?: number,
  asWritten?: AsWritten,
): Promise<void> {
  const text = await readText(file);
  const next = upsertTargetInText(text, input, line, asWritten);
  const edited = line ?? lastTargetLine(next);
  const problems = parseConfig(next, file).problems.filter((p) => p.line === edited);
  if (problems.length > 0) {
    throw new SmartSyncError("CONFIG_INVALID", problems.map((p) => p.message).join("; "), {
      hint: "Correct the fields and save again.",
    });
  }
  await writeFile(file, next);
}

export async function removeTarget(file: string, line: number): Promise<void> {
  await writeFile(file, removeTargetFromText(await readText(file), line));
}
