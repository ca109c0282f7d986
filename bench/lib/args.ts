// Flags of the benchmark programs: `--name value`, `--name=value` and bare `--flag` (true).
export type Flags = Record<string, string | true>;

export function parseFlags(argv: string[] = process.argv.slice(2)): Flags {
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) throw new Error(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    if (eq > 0) flags[arg.slice(2, eq)] = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) flags[arg.slice(2)] = argv[++i];
    else flags[arg.slice(2)] = true;
  }
  return flags;
}

const UNITS: Record<string, number> = { "": 1, k: 1e3, m: 1e6, g: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** "1e6", "100000", "100k", "1M" (counts) or "1GiB", "150MB" (sizes, decimal unless the unit says iB). */
export function parseAmount(text: string): number {
  const match = /^(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmg]i?b?)?$/i.exec(text.trim());
  if (!match) throw new Error(`not an amount: "${text}"`);
  const unit = (match[2] ?? "").toLowerCase().replace(/b$/, "").replace(/i$/, "ib");
  const factor = UNITS[unit];
  if (factor === undefined) throw new Error(`unknown unit in "${text}"`);
  return Math.round(Number(match[1]) * factor);
}

export function amountFlag(flags: Flags, name: string, fallback: number): number {
  const value = flags[name];
  if (value === undefined) return fallback;
  if (value === true) throw new Error(`--${name} needs a value`);
  return parseAmount(value);
}

export function stringFlag(flags: Flags, name: string): string | undefined {
  const value = flags[name];
  if (value === true) throw new Error(`--${name} needs a value`);
  return value;
}
