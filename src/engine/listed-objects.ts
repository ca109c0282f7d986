// A prefix's listing held by key, compactly: a million listed objects as an object, a key and an ETag each
// took about 385 bytes apiece beside the scan and the DB's rows. Here each is a slot in a few arrays, and
// its path and ETag are the DB row's own strings when the row says the same (a merge-walk of the sorted
// listing and the sorted rows): about 80 bytes. The run reads it as a map; `get` makes the object asked for.
import { keyFor, pathForKey } from "./keys";
import { comparePaths } from "./path-order";
import type { FileRecord, S3ObjectInfo } from "./types";

/** What the run reads of a listing: a map by key, and `set` for facts a HEAD added later (archive tiers). */
export interface ObjectsByKey extends ReadonlyMap<string, S3ObjectInfo> {
  set(key: string, object: S3ObjectInfo): this;
}

export class ListedObjects implements ObjectsByKey {
  /** Slot by relative path for keys under the prefix, by whole key for others (a `prefix/` marker). */
  private readonly byPath = new Map<string, number>();
  private readonly byKey = new Map<string, number>();
  /** Per slot: the relative path, or the whole key for slots in `byKey`. */
  private readonly names: string[] = [];
  private readonly sizes: number[] = [];
  private readonly modified: number[] = [];
  private readonly etags: string[] = [];
  private readonly classes: number[] = [];
  private readonly classNames: string[] = [];
  /** Objects with more than a listing says (restore state, archive tier), by slot. */
  private readonly extra = new Map<number, S3ObjectInfo>();
  /** Merge-walk over the DB's rows in path order, for their strings. */
  private row = 0;

  /** `rows`: the DB's rows in path order (SQLite's), whose strings the listing reuses; any other order only costs memory. */
  constructor(
    private readonly prefix: string,
    private readonly rows: readonly FileRecord[] = [],
  ) {}

  get size(): number {
    return this.names.length;
  }

  get [Symbol.toStringTag](): string {
    return "ListedObjects";
  }

  /** Adds a listed object (keys come in S3's order, the rows' order, for the strings to be shared). */
  add(object: S3ObjectInfo): void {
    if (this.slotOf(object.key) !== undefined) {
      this.set(object.key, object);
      return;
    }
    const slot = this.names.length;
    let name = pathForKey(this.prefix, object.key);
    let etag = object.etag;
    if (name !== null) {
      const row = this.rowAt(name);
      if (row) {
        name = row.path;
        if (row.etag === etag) etag = row.etag;
      }
      this.byPath.set(name, slot);
    } else {
      name = object.key;
      this.byKey.set(name, slot);
    }
    this.names.push(name);
    this.sizes.push(object.size);
    this.modified.push(object.lastModifiedMs);
    this.etags.push(etag);
    this.classes.push(this.classIndex(object.storageClass));
    if (object.archiveStatus !== undefined || object.restore !== undefined) this.extra.set(slot, object);
  }

  get(key: string): S3ObjectInfo | undefined {
    const slot = this.slotOf(key);
    return slot === undefined ? undefined : this.objectAt(slot, key);
  }

  has(key: string): boolean {
    return this.slotOf(key) !== undefined;
  }

  /** Replaces what is known of a listed key (a HEAD's facts), or adds one. */
  set(key: string, object: S3ObjectInfo): this {
    const slot = this.slotOf(key);
    if (slot === undefined) {
      this.add(object);
      return this;
    }
    this.sizes[slot] = object.size;
    this.modified[slot] = object.lastModifiedMs;
    this.etags[slot] = object.etag;
    this.classes[slot] = this.classIndex(object.storageClass);
    if (object.archiveStatus !== undefined || object.restore !== undefined) this.extra.set(slot, object);
    else this.extra.delete(slot);
    return this;
  }

  *keys(): MapIterator<string> {
    for (let slot = 0; slot < this.names.length; slot++) yield this.keyAt(slot);
  }

  *values(): MapIterator<S3ObjectInfo> {
    for (let slot = 0; slot < this.names.length; slot++) yield this.objectAt(slot, this.keyAt(slot));
  }

  *entries(): MapIterator<[string, S3ObjectInfo]> {
    for (let slot = 0; slot < this.names.length; slot++) {
      const key = this.keyAt(slot);
      yield [key, this.objectAt(slot, key)];
    }
  }

  [Symbol.iterator](): MapIterator<[string, S3ObjectInfo]> {
    return this.entries();
  }

  forEach(callback: (value: S3ObjectInfo, key: string, map: ReadonlyMap<string, S3ObjectInfo>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }

  private slotOf(key: string): number | undefined {
    const path = pathForKey(this.prefix, key);
    return path === null ? this.byKey.get(key) : this.byPath.get(path);
  }

  private keyAt(slot: number): string {
    const name = this.names[slot]!;
    return this.byPath.get(name) === slot ? keyFor(this.prefix, name) : name;
  }

  private objectAt(slot: number, key: string): S3ObjectInfo {
    const extra = this.extra.get(slot);
    if (extra) return { ...extra, key };
    return {
      key,
      size: this.sizes[slot]!,
      lastModifiedMs: this.modified[slot]!,
      etag: this.etags[slot]!,
      storageClass: this.classNames[this.classes[slot]!]!,
    };
  }

  private classIndex(storageClass: string): number {
    const known = this.classNames.indexOf(storageClass);
    return known >= 0 ? known : this.classNames.push(storageClass) - 1;
  }

  /** The row at `path`, walking forward from the last one found. */
  private rowAt(path: string): FileRecord | undefined {
    const rows = this.rows;
    while (this.row < rows.length && comparePaths(rows[this.row]!.path, path) < 0) this.row++;
    const row = rows[this.row];
    return row && row.path === path ? row : undefined;
  }
}
