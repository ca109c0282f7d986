import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { digestsNeeded, proves } from "../../src/engine/content-proof";
import { awsCliPartSize, multipartEtag, parseEtag, partSizeCandidates } from "../../src/engine/etag";
import { digestFile } from "../../src/engine/file-digest";

const MiB = 1024 * 1024;
const dir = mkdtempSync(path.join(tmpdir(), "s3ss-digest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The ETag S3 computes for a multipart upload of `data` in parts of `partSize`. */
function s3MultipartEtag(data: Buffer, partSize: number): string {
  const parts: Buffer[] = [];
  for (let o = 0; o < data.length; o += partSize)
    parts.push(
      createHash("md5")
        .update(data.subarray(o, o + partSize))
        .digest(),
    );
  return `"${multipartEtag(parts)}"`;
}

describe("ETags", () => {
  it("tells single-part, multipart and other ETags apart", () => {
    expect(parseEtag('"9E107D9D372BB6826BD81D3542A419D6"')).toEqual({
      kind: "md5",
      md5: "9e107d9d372bb6826bd81d3542a419d6",
    });
    expect(parseEtag("da58f5ffea4bed9cbc5b927451bc53b2-3")).toEqual({
      kind: "multipart",
      etag: "da58f5ffea4bed9cbc5b927451bc53b2-3",
      parts: 3,
    });
    expect(parseEtag("not-an-md5")).toEqual({ kind: "unknown" });
  });

  it("recovers the aws CLI's part size, doubled past 10,000 parts", () => {
    expect(awsCliPartSize(20 * MiB)).toBe(8 * MiB);
    expect(awsCliPartSize(10_000 * 8 * MiB)).toBe(8 * MiB);
    expect(awsCliPartSize(10_000 * 8 * MiB + 1)).toBe(16 * MiB);
    expect(awsCliPartSize(100 * 1024 * MiB)).toBe(16 * MiB);
  });

  it("lists the part sizes consistent with the part count, the aws CLI's first", () => {
    expect(partSizeCandidates(20 * MiB + 123, 3)).toEqual([8 * MiB, 7 * MiB, 9 * MiB, 10 * MiB]);
    expect(partSizeCandidates(20 * MiB, 4)).toEqual([5 * MiB, 6 * MiB]);
    expect(partSizeCandidates(20 * MiB, 4, [6 * MiB - 1])).toEqual([6 * MiB - 1, 5 * MiB, 6 * MiB]);
    expect(partSizeCandidates(100 * MiB, 1)).toEqual([]);
  });
});

describe("digestFile and proofs", () => {
  it("proves a file against single-part and multipart ETags of its bytes, and never against other bytes", async () => {
    const data = randomBytes(20 * MiB + 123);
    const file = path.join(dir, "song.flac");
    writeFileSync(file, data);
    const single = { size: data.length, etag: `"${createHash("md5").update(data).digest("hex")}"` };
    const byAws = { size: data.length, etag: s3MultipartEtag(data, 8 * MiB) };
    const byRclone = { size: data.length, etag: s3MultipartEtag(data, 5 * MiB) };
    const request = {
      md5: true,
      partSizes: [
        ...digestsNeeded(byAws, data.length)!.partSizes!,
        ...digestsNeeded(byRclone, data.length)!.partSizes!,
      ],
    };
    let read = 0;
    const digests = await digestFile(file, request, { onBytes: (n) => (read += n) });
    expect(read).toBe(data.length);
    expect(proves(single, data.length, digests)).toBe("md5");
    expect(proves(byAws, data.length, digests)).toBe("multipart-etag");
    expect(proves(byRclone, data.length, digests)).toBe("multipart-etag");

    const other = Buffer.from(data);
    other[other.length - 1] ^= 1;
    expect(proves({ size: data.length, etag: s3MultipartEtag(other, 8 * MiB) }, data.length, digests)).toBeUndefined();
    expect(proves({ ...single, size: data.length + 1 }, data.length, digests)).toBeUndefined();
  });

  it("computes the CRC64NVME S3 reports for a full-object checksum", async () => {
    const file = path.join(dir, "check.txt");
    writeFileSync(file, "123456789");
    const digests = await digestFile(file, { crc64nvme: true });
    // The check value of CRC-64/NVME for "123456789" is 0xae8b14860a799888.
    expect(Buffer.from(digests.crc64nvme!, "base64").toString("hex")).toBe("ae8b14860a799888");
    expect(proves({ size: 9, etag: "opaque-kms-etag", crc64nvme: digests.crc64nvme }, 9, digests)).toBe("crc64nvme");
  });
});
