import { describe, expect, it } from "vitest";
import { countAwsDeletes } from "../../src/engine/aws-deletes";
import { awsFilters } from "../../src/engine/aws-filters";
import { deletionLimit, judgeDeletes, judgeVolume, type VolumeEvidence } from "../../src/engine/guards";
import { planRun } from "../../src/engine/planner";
import type { S3ObjectInfo, ScannedFile } from "../../src/engine/types";

const drive = { uuid: "AAAA-1111", mountPoint: true, fsType: "apfs", dbId: "db-1" };

function evidence(over: Partial<VolumeEvidence> = {}): VolumeEvidence {
  return {
    root: "/Volumes/Vault",
    destination: "s3://vault/",
    facts: { isMountPoint: true, uuid: "AAAA-1111", fsType: "apfs" },
    dbId: "db-1",
    recorded: { volume: drive, lastSyncAt: "2026-11-20T10:00:00.000Z" },
    filesFound: 12,
    rootIsEmpty: false,
    bucketHasObjects: true,
    ...over,
  };
}

describe("judgeVolume", () => {
  it("lets the recorded drive through", () => {
    expect(judgeVolume(evidence())).toBeUndefined();
  });

  it("refuses an empty folder where the drive was a mount point, naming the day of the last sync", () => {
    const refusal = judgeVolume(
      evidence({
        facts: { isMountPoint: false, uuid: null, fsType: null },
        dbId: null,
        filesFound: 0,
        rootIsEmpty: true,
      }),
    );
    expect(refusal?.code).toBe("VOLUME_REFUSED");
    expect(refusal?.message).toBe(
      "/Volumes/Vault is an empty folder, not the drive synced on 2026-11-20 — is the drive connected?",
    );
    expect(refusal?.hint).toContain("--accept-volume");
  });

  it("refuses another drive at the same path by its UUID", () => {
    const refusal = judgeVolume(
      evidence({ facts: { isMountPoint: true, uuid: "BBBB-2222", fsType: "exfat" }, dbId: null }),
    );
    expect(refusal?.message).toBe(
      "/Volumes/Vault is another volume (UUID BBBB-2222) than the one synced on 2026-11-20 (UUID AAAA-1111).",
    );
  });

  it("refuses a state DB of another volume when the OS gives no UUID", () => {
    const refusal = judgeVolume(
      evidence({
        facts: { isMountPoint: false, uuid: null, fsType: null },
        recorded: { volume: { ...drive, uuid: null, mountPoint: false }, lastSyncAt: "2026-11-20T10:00:00.000Z" },
        dbId: "db-2",
      }),
    );
    expect(refusal?.message).toContain("belongs to another volume (id db-2)");
  });

  it("lets a deleted DB through when the files are there, and refuses an empty root over a full prefix", () => {
    expect(judgeVolume(evidence({ dbId: null }))).toBeUndefined();
    const refusal = judgeVolume(evidence({ recorded: undefined, dbId: null, filesFound: 0, rootIsEmpty: true }));
    expect(refusal?.message).toBe(
      "/Volumes/Vault is an empty folder while s3://vault/ holds objects — is the drive connected?",
    );
    expect(refusal?.hint).toContain("--accept-volume --allow-deletes");
    expect(
      judgeVolume(evidence({ recorded: undefined, filesFound: 0, rootIsEmpty: true, bucketHasObjects: false })),
    ).toBeUndefined();
  });
});

describe("deletion cap", () => {
  it("allows half of a prefix of 20 or more objects, at most 10,000, and any number below 20 objects", () => {
    expect(deletionLimit(40)).toBe(20);
    expect(deletionLimit(19)).toBe(10_000);
    expect(deletionLimit(1_000_000)).toBe(10_000);
    expect(deletionLimit(100, { maxDeletes: 5, maxShare: 1 })).toBe(5);
  });

  it("refuses with the numbers", () => {
    expect(judgeDeletes({ count: 20, objects: 40, source: "listing", destination: "s3://b/" })).toBeUndefined();
    const refusal = judgeDeletes({ count: 30, objects: 40, source: "listing", destination: "s3://b/" });
    expect(refusal?.code).toBe("DELETES_REFUSED");
    expect(refusal?.message).toBe(
      "This sync would delete 30 objects (75% of 40) under s3://b/, more than the cap of 20.",
    );
    expect(refusal?.hint).toContain("--allow-deletes");
  });
});

function file(path: string, size = 10): ScannedFile {
  return { path, inode: path.length * 1000 + size, dev: 1, size, mtimeMs: 1_000_000 };
}
function object(key: string, size = 10): S3ObjectInfo {
  return { key, size, lastModifiedMs: 2_000_000, etag: `e-${key}`, storageClass: "STANDARD" };
}

describe("countAwsDeletes", () => {
  it("counts listed objects with no local file, leaving out excluded keys, folder markers and moved-away keys", () => {
    const scan = [file("keep.txt"), file("new-name.txt")];
    const records = [{ path: "old-name.txt", inode: file("new-name.txt").inode, size: 10, mtime: 1000, synced: 1 }];
    const listing = new Map(
      ["p/keep.txt", "p/old-name.txt", "p/gone.txt", "p/.DS_Store", "p/folder/", "p/also-gone.bin"].map((k) => [
        k,
        object(k),
      ]),
    );
    const plan = planRun({ scan, records, prefix: "p", isExcluded: () => false, objects: listing });
    expect(plan.moves.map((m) => m.fromKey)).toEqual(["p/old-name.txt"]);
    const filters = awsFilters({
      root: "/v",
      bucket: "b",
      prefix: "p",
      userExcludes: [".*"],
      leaveAlone: [],
      skipped: [],
    });
    const counted = countAwsDeletes({
      prefix: "p",
      scan,
      plan,
      objects: listing,
      recordCount: 1,
      isExcludedKey: filters.isExcludedKey,
    });
    expect(counted).toEqual({ count: 2, objects: 6, source: "listing" });
  });

  it("without a listing counts the recorded files that are gone", () => {
    const records = ["a", "b", "c"].map((p) => ({ path: p, inode: 1, size: 1, mtime: 1, synced: 1 }));
    const plan = planRun({ scan: [], records, prefix: "", isExcluded: () => false });
    expect(countAwsDeletes({ prefix: "", scan: [], plan, recordCount: 3, isExcludedKey: () => false })).toEqual({
      count: 3,
      objects: 3,
      source: "state-db",
    });
  });
});

describe("awsFilters", () => {
  it("keeps aws away from the objects of files the scan could not read, and of folders it cut", () => {
    const filters = awsFilters({
      root: "/v",
      bucket: "b",
      prefix: "",
      userExcludes: [],
      leaveAlone: ["wait/for restore.mp3"],
      skipped: [
        { path: "locked.mp3", reason: "unreadable" },
        { path: "dangling", reason: "broken-symlink" },
        { path: "loop", reason: "symlink-loop" },
        { path: "gone.mp3", reason: "vanished" },
      ],
    });
    for (const kept of ["locked.mp3", "dangling", "loop/a.mp3", "wait/for restore.mp3", ".s3-smart-sync.db"])
      expect(filters.isExcludedKey(kept), kept).toBe(true);
    for (const deletable of ["gone.mp3", "locked.mp3.bak", "other.mp3"])
      expect(filters.isExcludedKey(deletable), deletable).toBe(false);
  });
});
