// Benchmark 6: the move journal of a folder rename of N moves (default 2,000,000; --quick: 200,000): the
// batch journaled, every step recorded, then read back and its schedule recomputed as a resumed run does,
// in a child process of its own (test/support/journal-stress.ts, the child the test suite runs under a heap
// cap; here bundled, as the CLI runs). Its peer is the moves themselves: the journal's peak heap against the
// heap the N planned moves take before it starts, and the peak RSS against the 1 GiB target. No S3: the
// requests of a folder rename are the folder-rename benchmark's.
//   tsx bench/journal.ts [--moves 2M]   (--quick: 200k)
import { amountFlag, parseFlags } from "./lib/args";
import { runBundled } from "./lib/bundled";
import { emit, ratio, round, say } from "./lib/report";

const flags = parseFlags();
const moves = amountFlag(flags, "moves", flags.quick === true ? 200_000 : 2_000_000);
const TARGET_RSS_MIB = 1024;

say(`journal: ${moves} moves journaled, recorded, read back`);
const cost = await runBundled("test/support/journal-stress.ts", [String(moves)]);
const figures = cost.result as {
  moves: number;
  journalMiB: number;
  movesHeapMiB: number;
  peakHeapMiB: number;
  maxRssMiB: number;
};
emit({
  bench: "journal",
  moves,
  wallMs: cost.wallMs,
  cpuMs: cost.cpuMs,
  journalMiB: figures.journalMiB,
  movesHeapMiB: figures.movesHeapMiB,
  peakHeapMiB: figures.peakHeapMiB,
  maxRssMiB: round(cost.maxRssKiB / 1024),
  ratios: {
    peakHeap_per_movesHeap: ratio(figures.peakHeapMiB, figures.movesHeapMiB),
    maxRss_per_1GiB: ratio(cost.maxRssKiB / 1024, TARGET_RSS_MIB),
  },
});
