// Reads candidate files to prove them equal to objects, within a budget of bytes read per run. Each file is
// read at most once (every hash its candidates need, in one pass), and not at all when the DB already holds
// its hashes for this (inode, size, mtime). Objects whose ETag is not a plain MD5 are asked for their
// CRC64NVME first (one HEAD): a full-object checksum proves in one hash what a multipart ETag needs a part
// size for.
import path from "node:path";
import { digestsNeeded, mergeRequests, proves, type ObjectFingerprint, type ProofKind } from "./content-proof";
import { parseEtag } from "./etag";
import { digestFile, type DigestRequest, type FileDigests } from "./file-digest";
import type { CandidatePair } from "./content-pairing";
import { isArchived } from "./move-rules";
import type { S3ObjectInfo, ScannedFile, Target } from "./types";

/** Where hashes are remembered between runs (the state DB's `hashes` table). */
export interface HashCache {
  cachedHashes(file: { inode: number; size: number; mtime: number }): Map<string, string>;
  cacheHash(file: { inode: number; size: number; mtime: number }, kind: string, value: string): void;
}

export interface ProverOptions {
  root: string;
  cache?: HashCache;
  /** The object's full-object CRC64NVME, or undefined (HEAD in checksum mode). */
  crc64?: (key: string) => Promise<string | undefined>;
  /**
   * The object as the bucket holds it now, when the candidates came from the DB rather than a listing:
   * a proof is made against what is there (null: gone).
   */
  current?: (key: string) => Promise<S3ObjectInfo | null>;
  /** Bytes that may be read this run. */
  budget: number;
  /** A budget shared with other provers of the same run (its `left` is spent by all); overrides `budget`. */
  pool?: { left: number };
  /** Part sizes of other uploaders, from the config. */
  partSizes?: readonly number[];
  signal?: AbortSignal;
  onProgress?: (progress: { bytes: number; files: number }) => void;
}

export interface ProverStats {
  bytes: number;
  files: number;
  cachedFiles: number;
  budgetLeft: number;
}

const identity = (file: ScannedFile) => ({ inode: file.inode, size: file.size, mtime: file.mtimeMs / 1000 });
const PART_KIND = "etag-part-size:";

function fromCache(cached: Map<string, string>): FileDigests {
  const multipart = new Map<number, string>();
  for (const [kind, value] of cached)
    if (kind.startsWith(PART_KIND)) multipart.set(Number(kind.slice(PART_KIND.length)), value);
  return { md5: cached.get("md5"), crc64nvme: cached.get("crc64nvme"), multipart };
}

/** What `request` asks that `have` lacks, or undefined when the cache answers it all. */
function missing(request: DigestRequest, have: FileDigests): DigestRequest | undefined {
  const need: DigestRequest = {};
  if (request.md5 && have.md5 === undefined) need.md5 = true;
  if (request.crc64nvme && have.crc64nvme === undefined) need.crc64nvme = true;
  const parts = (request.partSizes ?? []).filter((p) => !have.multipart.has(p));
  if (parts.length > 0) need.partSizes = parts;
  return need.md5 || need.crc64nvme || need.partSizes ? need : undefined;
}

export class Prover {
  private readonly stats: Omit<ProverStats, "budgetLeft">;
  private readonly pool: { left: number };
  private readonly fingerprints = new Map<string, Promise<ObjectFingerprint | undefined>>();

  constructor(private readonly options: ProverOptions) {
    this.stats = { bytes: 0, files: 0, cachedFiles: 0 };
    this.pool = options.pool ?? { left: options.budget };
  }

  private readonly live = new Map<string, S3ObjectInfo>();

  /** The object as last seen (by HEAD when the candidates came from the DB), once fingerprinted. */
  objectNow(object: S3ObjectInfo): S3ObjectInfo {
    return this.live.get(object.key) ?? object;
  }

  get result(): ProverStats {
    return { ...this.stats, budgetLeft: this.pool.left };
  }

  private fingerprint(object: S3ObjectInfo): Promise<ObjectFingerprint | undefined> {
    let known = this.fingerprints.get(object.key);
    if (!known) {
      known = (async () => {
        const current = this.options.current ? await this.options.current(object.key) : object;
        // Gone, no longer what the DB recorded, or archived (cannot be copied): nothing to prove against.
        if (!current || current.etag !== object.etag || current.size !== object.size || isArchived(current))
          return undefined;
        this.live.set(object.key, current);
        const base = { size: current.size, etag: current.etag };
        if (parseEtag(current.etag).kind === "md5" || !this.options.crc64) return base;
        const crc64nvme = await this.options.crc64(current.key);
        return crc64nvme ? { ...base, crc64nvme } : base;
      })();
      this.fingerprints.set(object.key, known);
    }
    return known;
  }

  /**
   * For each object of the pair, how the file proves equal to it (undefined: not proven). Reads the file
   * once, or not at all when its hashes are cached or the budget is spent.
   */
  async prove(pair: CandidatePair): Promise<Map<string, ProofKind | undefined>> {
    const { file } = pair;
    const fingerprints = await Promise.all(pair.objects.map((o) => this.fingerprint(o)));
    const request = mergeRequests(
      fingerprints.map((f) => (f ? digestsNeeded(f, file.size, this.options.partSizes) : undefined)),
    );
    const out = new Map<string, ProofKind | undefined>();
    if (!request) return out;
    const cached = this.options.cache?.cachedHashes(identity(file)) ?? new Map<string, string>();
    let digests = fromCache(cached);
    const need = missing(request, digests);
    if (need) {
      if (file.size > this.pool.left) return out;
      this.pool.left -= file.size;
      let read: FileDigests;
      try {
        read = await digestFile(path.join(this.options.root, file.path), need, {
          signal: this.options.signal,
          onBytes: (n) => {
            this.stats.bytes += n;
            this.options.onProgress?.({ bytes: this.stats.bytes, files: this.stats.files });
          },
        });
      } catch (error) {
        // Changed, gone or unreadable while read: it proves nothing; aws deals with it.
        if (this.options.signal?.aborted) throw error;
        return out;
      }
      this.stats.files++;
      digests = {
        md5: read.md5 ?? digests.md5,
        crc64nvme: read.crc64nvme ?? digests.crc64nvme,
        multipart: new Map([...digests.multipart, ...read.multipart]),
      };
      const cache = this.options.cache;
      if (cache) {
        if (read.md5) cache.cacheHash(identity(file), "md5", read.md5);
        if (read.crc64nvme) cache.cacheHash(identity(file), "crc64nvme", read.crc64nvme);
        for (const [size, etag] of read.multipart) cache.cacheHash(identity(file), `${PART_KIND}${size}`, etag);
      }
    } else {
      this.stats.cachedFiles++;
    }
    pair.objects.forEach((object, i) => {
      const fingerprint = fingerprints[i];
      out.set(object.key, fingerprint ? proves(fingerprint, file.size, digests) : undefined);
    });
    return out;
  }
}

/** Part sizes a target's objects may have been uploaded with, beyond the aws CLI's default: aws's own as set for it first. */
export function targetPartSizes(target: Pick<Target, "partSizes" | "awsMultipartChunksize">): number[] | undefined {
  const sizes = [...(target.awsMultipartChunksize ? [target.awsMultipartChunksize] : []), ...(target.partSizes ?? [])];
  return sizes.length > 0 ? sizes : undefined;
}
