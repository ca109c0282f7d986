// One order of paths for the scan and the DB, so that both can be walked side by side (a merge walk, as
// aws's comparator and rclone's march do) instead of holding a map of a million paths.
//
// SQLite orders `files.path` by its UTF-8 bytes, which is code point order. JavaScript's `<` compares UTF-16
// units, which agrees except where one path has an astral character (a surrogate pair, U+D800–U+DFFF
// units) and the other a character in U+E000–U+FFFF at the same place: bytes put the astral one last.

/** Code point order of two paths, i.e. SQLite's order of their UTF-8 bytes: negative, 0 or positive. */
export function comparePaths(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return x >= 0xd800 && y >= 0xd800 ? highUnitRank(x) - highUnitRank(y) : x - y;
  }
  return a.length - b.length;
}

/** Surrogates (astral code points) above U+E000–U+FFFF, each range keeping its own order. */
function highUnitRank(unit: number): number {
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

/**
 * `items` in path order: the array itself when it already is (the scanner's order, except for the rare
 * names above), else a sorted copy.
 */
export function inPathOrder<T extends { path: string }>(items: readonly T[]): readonly T[] {
  for (let i = 1; i < items.length; i++) {
    if (comparePaths(items[i - 1].path, items[i].path) > 0)
      return [...items].sort((a, b) => comparePaths(a.path, b.path));
  }
  return items;
}

/**
 * Walks `files` and `rows` side by side in path order, calling `onFile` for each file with the row at its
 * path (undefined when there is none) and `onRowAlone` for each row no file has. `files` may come in any
 * order (the scanner's is path order but for the names above), and so may an array of rows; other rows
 * must come in path order, as SQLite returns them, or this throws rather than take rows for absent.
 */
export function walkByPath<F extends { path: string }, R extends { path: string }>(
  files: readonly F[],
  rows: Iterable<R>,
  onFile: (file: F, row: R | undefined) => void,
  onRowAlone: (row: R) => void,
): void {
  const iterator = (Array.isArray(rows) ? inPathOrder(rows as R[]) : rows)[Symbol.iterator]();
  try {
    let row = next(iterator, undefined);
    let matched = false;
    for (const file of inPathOrder(files)) {
      let order = row ? comparePaths(row.path, file.path) : 1;
      while (row && order < 0) {
        if (!matched) onRowAlone(row);
        row = next(iterator, row);
        matched = false;
        order = row ? comparePaths(row.path, file.path) : 1;
      }
      // A row stays current while files share its path (a scan never has two, but stay exact).
      if (order === 0) matched = true;
      onFile(file, order === 0 ? row : undefined);
    }
    for (; row; row = next(iterator, row)) {
      if (!matched) onRowAlone(row);
      matched = false;
    }
  } finally {
    // Lets a generator over a DB statement reset it when the walk stops early.
    iterator.return?.();
  }
}

function next<R extends { path: string }>(iterator: Iterator<R>, previous: R | undefined): R | undefined {
  const result = iterator.next();
  if (result.done) return undefined;
  if (previous && comparePaths(previous.path, result.value.path) >= 0) {
    throw new Error(
      `State rows out of path order: ${JSON.stringify(previous.path)} before ${JSON.stringify(result.value.path)}`,
    );
  }
  return result.value;
}
