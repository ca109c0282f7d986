// Hashes a file once for every proof asked of it: the MD5 of the whole file, the multipart ETag at each
// candidate part size (an MD5 per part, restarted at each boundary), the CRC64NVME full-object checksum.
// One read of the file feeds all of them. A file that changes while it is read proves nothing.
import { Crc64Nvme } from "@aws-sdk/checksums/crc";
import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { multipartEtag } from "./etag";

export interface DigestRequest {
  md5?: boolean;
  /** Part sizes at which to compute a multipart ETag. */
  partSizes?: readonly number[];
  crc64nvme?: boolean;
}

export interface FileDigests {
  /** Hex MD5 of the whole file. */
  md5?: string;
  /** Part size → multipart ETag ("<md5 of part md5s>-<parts>"). */
  multipart: Map<number, string>;
  /** Base64 CRC64NVME of the whole file, as S3 reports ChecksumCRC64NVME. */
  crc64nvme?: string;
}

export class FileChangedError extends Error {
  override name = "FileChangedError";
}

class PartHasher {
  private md5: Hash = createHash("md5");
  private filled = 0;
  private readonly parts: Buffer[] = [];

  constructor(private readonly partSize: number) {}

  update(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.partSize - this.filled, chunk.length - offset);
      this.md5.update(chunk.subarray(offset, offset + take));
      this.filled += take;
      offset += take;
      if (this.filled === this.partSize) {
        this.parts.push(this.md5.digest());
        this.md5 = createHash("md5");
        this.filled = 0;
      }
    }
  }

  etag(): string {
    // An upload of exactly N full parts has no empty last part; an empty file is one empty part.
    if (this.filled > 0 || this.parts.length === 0) this.parts.push(this.md5.digest());
    return multipartEtag(this.parts);
  }
}

export async function digestFile(
  file: string,
  request: DigestRequest,
  options: { signal?: AbortSignal; onBytes?: (bytes: number) => void } = {},
): Promise<FileDigests> {
  const before = await stat(file);
  const md5 = request.md5 ? createHash("md5") : undefined;
  const crc = request.crc64nvme ? new Crc64Nvme() : undefined;
  const parts = [...new Set(request.partSizes ?? [])].map((size) => [size, new PartHasher(size)] as const);
  const stream = createReadStream(file, { highWaterMark: 1024 * 1024, signal: options.signal });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    md5?.update(chunk);
    crc?.update(chunk);
    for (const [, hasher] of parts) hasher.update(chunk);
    options.onBytes?.(chunk.length);
  }
  const after = await stat(file);
  if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || after.ino !== before.ino)
    throw new FileChangedError(`${file} changed while it was read`);
  return {
    md5: md5?.digest("hex"),
    multipart: new Map(parts.map(([size, hasher]) => [size, hasher.etag()])),
    crc64nvme: crc ? Buffer.from(await crc.digest()).toString("base64") : undefined,
  };
}
