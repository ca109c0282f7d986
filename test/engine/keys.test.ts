import { describe, expect, it } from "vitest";
import { keyFor, normalizePrefix, pathForKey, s3Uri } from "../../src/engine/keys";

describe("normalizePrefix", () => {
  it("drops leading and trailing slashes only", () => {
    expect(normalizePrefix("")).toBe("");
    expect(normalizePrefix("/")).toBe("");
    expect(normalizePrefix("p")).toBe("p");
    expect(normalizePrefix("p/")).toBe("p");
    expect(normalizePrefix("/a/b/")).toBe("a/b");
    expect(normalizePrefix("a//b")).toBe("a//b");
  });
});

describe("keyFor / pathForKey", () => {
  const NFC = "caf\u00e9.mp3";
  const NFD = "cafe\u0301.mp3";

  it("joins prefix and relative path with one slash", () => {
    expect(keyFor("", "a/b.mp3")).toBe("a/b.mp3");
    expect(keyFor("crates", "a/b.mp3")).toBe("crates/a/b.mp3");
    expect(keyFor("crates/", "a/b.mp3")).toBe("crates/a/b.mp3");
  });

  it("never normalises Unicode or case", () => {
    expect(keyFor("p", NFD)).toBe(`p/${NFD}`);
    expect(keyFor("p", NFC)).not.toBe(keyFor("p", NFD));
    expect(keyFor("P", "Song.MP3")).toBe("P/Song.MP3");
  });

  it("inverts keyFor and rejects keys outside the prefix", () => {
    for (const prefix of ["", "crates", "a/b/"]) {
      for (const rel of ["x", "dir/y z.mp3", NFD]) expect(pathForKey(prefix, keyFor(prefix, rel))).toBe(rel);
    }
    expect(pathForKey("crates", "crates2/x")).toBeNull();
    expect(pathForKey("crates", "crates")).toBeNull();
    expect(pathForKey("crates", "crates/")).toBeNull();
    expect(pathForKey("crates", "other/x")).toBeNull();
    expect(pathForKey("", "")).toBeNull();
  });
});

describe("s3Uri", () => {
  it("always ends with a slash, as aws s3 sync is given it", () => {
    expect(s3Uri("b", "")).toBe("s3://b/");
    expect(s3Uri("b", "p")).toBe("s3://b/p/");
    expect(s3Uri("b", "/p/q/")).toBe("s3://b/p/q/");
  });
});
