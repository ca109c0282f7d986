// Plain records passed between the pipeline stages:
// scanner → filters → planner → verifier → mover → aws runner → recorder.

/** A regular file the scan found, as `aws s3 sync` would see it. */
export interface ScannedFile {
  /** Path relative to the volume root, `/`-separated, exactly as the directory listing spelled it. */
  path: string;
  inode: number;
  /** Device of the file; with inode it identifies the file across symlinked folders. */
  dev: number;
  size: number;
  /** Modification time in milliseconds since the epoch (fractional allowed). */
  mtimeMs: number;
}

/** Why the scanner left something out, mirroring the warnings aws prints. */
export type SkipReason =
  "broken-symlink" | "symlink-loop" | "special-file" | "unreadable" | "invalid-utf8-name" | "vanished";

export interface SkippedEntry {
  /** Relative path (lossy-decoded when the name is not valid UTF-8). */
  path: string;
  /**
   * For "invalid-utf8-name": the path as Python (and so aws) reads it, each byte that is not valid UTF-8 a
   * lone surrogate U+DC80–U+DCFF (see filters.ts pythonPathFromBytes). Not for display.
   */
  pythonPath?: string;
  reason: SkipReason;
  detail?: string;
}

export interface ScanResult {
  root: string;
  files: ScannedFile[];
  skipped: SkippedEntry[];
  /** Files left out by the excludes (never moved, never deleted). */
  excludedCount: number;
  /** With `bornAfterMs`: the files born after it (a file's birth time comes with the scan's stat). */
  bornAfter?: ReadonlySet<string>;
}

/** One row of the state DB's `files` table (the original Python tool's shape plus `etag`). */
export interface FileRecord {
  path: string;
  inode: number;
  size: number;
  /** Seconds since the epoch, as the Python tool stored it (`os.stat().st_mtime`). */
  mtime: number;
  /** Seconds since the epoch of the last time this row was confirmed synced. */
  synced: number;
  /** ETag of the object at key(path) once known (quotes stripped). */
  etag?: string | null;
  /**
   * That object (the one with `etag`) was written by aws or by a copy of ours that set no encryption, so it
   * has the bucket's default encryption: copying it needs no HEAD to learn an SSE-KMS key to repeat.
   */
  defaultSse?: boolean;
}

/** What a listing or a HEAD told us about one object. */
export interface S3ObjectInfo {
  key: string;
  size: number;
  /** LastModified in milliseconds since the epoch. */
  lastModifiedMs: number;
  /** ETag without quotes. */
  etag: string;
  /** STANDARD when the listing omits it. */
  storageClass: string;
  /** Intelligent-Tiering archive tier or restore state when known from HEAD. */
  archiveStatus?: string;
  /** Parsed `x-amz-restore` header when known from HEAD. */
  restore?: { ongoing: boolean; expiry?: string };
}

/** A target: one volume (or folder) mirrored to one bucket/prefix. */
export interface Target {
  /** Display name (defaults to the folder's base name). */
  name: string;
  /** Absolute local root, `~` expanded, trailing `/.` removed. */
  localPath: string;
  bucket: string;
  /** Key prefix without leading or trailing `/`; empty for the bucket root. */
  prefix: string;
  excludes: string[];
  profile?: string;
  region?: string;
  endpointUrl?: string;
  /** Path-style addressing; defaults to true when endpointUrl is set. */
  forcePathStyle?: boolean;
  /** Storage class for new uploads by aws (`--storage-class`). */
  storageClass?: string;
  /** What to do with moves whose source is archived: wait for a restore, or let aws upload. */
  archivedMoves?: "wait" | "upload";
  /** Path of the aws CLI binary. */
  awsCli?: string;
  /** Concurrent S3 requests for moves. */
  concurrency?: number;
  /** Objects larger than this are copied with multipart copy. */
  multipartCopyThreshold?: number;
  /** Files smaller than this are uploaded rather than proven equal to an object by hashing (default 256 KiB). */
  proveMinSize?: number;
  /** Bytes read per run to prove content (default 64 GiB); files beyond it are left to aws. */
  hashBudget?: number;
  /** Multipart part sizes of other uploaders, tried after the aws CLI's when proving multipart ETags. */
  partSizes?: number[];
  /** A sync deleting more objects than this must be confirmed (default 10,000). */
  maxDeletes?: number;
  /** …or more than this share (0–1) of the prefix's objects, once it holds 20 (default 0.5). */
  maxDeleteShare?: number;
  /** aws's `max_concurrent_requests` for its uploads (its own default: 10). */
  awsMaxConcurrentRequests?: number;
  /** aws's `multipart_chunksize` for its uploads (its own default: 8 MiB); proofs try it as a part size. */
  awsMultipartChunksize?: number;
  /** Config file and line the target came from, for messages. */
  source?: { file: string; line: number };
}
