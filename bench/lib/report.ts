// Every benchmark prints exactly one JSON line on stdout; progress goes to stderr.
export interface BenchLine {
  bench: string;
  ratios: Record<string, number | null>;
  [figure: string]: unknown;
}

export function emit(line: BenchLine): void {
  process.stdout.write(JSON.stringify(line) + "\n");
}

export function say(text: string): void {
  process.stderr.write(`[bench] ${text}\n`);
}

/** a / b rounded to 3 significant digits; null when b is 0 (no meaningful ratio). */
export function ratio(a: number, b: number): number | null {
  if (b === 0) return a === 0 ? 1 : null;
  return round(a / b, 3);
}

export function round(value: number, digits = 3): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const scale = 10 ** Math.max(0, digits - Math.ceil(Math.log10(Math.abs(value))));
  return Math.round(value * scale) / scale;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const MiB = 1024 * 1024;
