// The compact listing answers as the Map of objects by key it replaced: same keys, same order, same facts,
// whether or not the DB's rows lend it their strings.
import { describe, expect, it } from "vitest";
import { ListedObjects } from "../../src/engine/listed-objects";
import type { FileRecord, S3ObjectInfo } from "../../src/engine/types";

const object = (key: string, size: number, etag: string, storageClass = "STANDARD"): S3ObjectInfo => ({
  key,
  size,
  lastModifiedMs: 1_700_000_000_000 + size,
  etag,
  storageClass,
});

const row = (path: string, size: number, etag: string | null): FileRecord => ({
  path,
  inode: size,
  size,
  mtime: 1_700_000_000,
  synced: 1_700_000_000,
  etag,
});

function listing(prefix: string, objects: S3ObjectInfo[], rows?: FileRecord[]): ListedObjects {
  const listed = new ListedObjects(prefix, rows);
  for (const o of objects) listed.add(o);
  return listed;
}

describe("ListedObjects", () => {
  const objects = [
    object("music/", 0, "d41d8cd98f00b204e9800998ecf8427e"),
    object("music/a.mp3", 10, "aaa"),
    object("music/b/c.flac", 20, "ccc", "GLACIER"),
    object("music/é.mp3", 30, "eee", "STANDARD_IA"),
    object("music/😀.mp3", 40, "fff"),
  ];

  it("holds a prefix's listing as a map by key, in listing order", () => {
    const listed = listing("music", objects);
    expect(listed.size).toBe(5);
    expect([...listed.keys()]).toEqual(objects.map((o) => o.key));
    expect([...listed.values()]).toEqual(objects);
    expect(new Map(listed)).toEqual(new Map(objects.map((o) => [o.key, o])));
    for (const o of objects) {
      expect(listed.get(o.key)).toEqual(o);
      expect(listed.has(o.key)).toBe(true);
    }
    for (const absent of ["music", "music/a", "a.mp3", "music/b", "other/a.mp3", ""]) {
      expect(listed.get(absent)).toBeUndefined();
      expect(listed.has(absent)).toBe(false);
    }
    const seen: string[] = [];
    listed.forEach((value, key) => seen.push(`${key}=${value.size}`));
    expect(seen).toEqual(objects.map((o) => `${o.key}=${o.size}`));
  });

  it("says the same with the DB's rows lending their strings, and keeps the listed ETag where a row's differs", () => {
    const rows = [
      row("a.mp3", 10, "aaa"),
      row("b/c.flac", 20, "old"),
      row("b/d.flac", 5, null),
      row("é.mp3", 30, "eee"),
    ];
    const listed = listing("music", objects, rows);
    expect([...listed.values()]).toEqual(objects);
    expect(listed.get("music/b/c.flac")?.etag).toBe("ccc");
  });

  it("without a prefix, every key is a path", () => {
    const plain = objects.slice(1).map((o) => ({ ...o, key: o.key.slice("music/".length) }));
    const listed = listing("", plain, [row("a.mp3", 10, "aaa")]);
    expect([...listed.entries()]).toEqual(plain.map((o) => [o.key, o]));
    expect(listed.get("music/a.mp3")).toBeUndefined();
  });

  it("takes a HEAD's facts for a listed key, and a key listed twice once", () => {
    const listed = listing("music", objects);
    const restored = {
      ...objects[2]!,
      restore: { ongoing: false, expiry: "tomorrow" },
      archiveStatus: "ARCHIVE_ACCESS",
    };
    listed.set("music/b/c.flac", restored);
    expect(listed.get("music/b/c.flac")).toEqual(restored);
    listed.set("music/b/c.flac", { ...objects[2]!, size: 21 });
    expect(listed.get("music/b/c.flac")).toEqual({ ...objects[2]!, size: 21 });
    listed.add(object("music/a.mp3", 11, "a2"));
    expect(listed.size).toBe(5);
    expect(listed.get("music/a.mp3")).toEqual(object("music/a.mp3", 11, "a2"));
    listed.set("music/new.mp3", object("music/new.mp3", 1, "n"));
    expect(listed.size).toBe(6);
    expect([...listed.keys()].at(-1)).toBe("music/new.mp3");
  });
});
