// S3 keys exactly as `aws s3 sync <root> s3://bucket/prefix/` forms them: prefix + "/" + relative path.
// No Unicode normalisation and no case folding, ever: the key is the name as the directory listing gave it.

/**
 * The prefix without leading or trailing `/` ('' for the bucket root). `p`, `p/` and `/p/` all mean
 * "files under `p/`"; inner `//` are kept because S3 keeps them. s3Uri and keyFor both use this form,
 * so the tool and aws agree on every key.
 */
export function normalizePrefix(prefix: string): string {
  // Called for every key of a million-file run: most prefixes are normal already.
  if (!prefix.startsWith("/") && !prefix.endsWith("/")) return prefix;
  return prefix.replace(/^\/+/, "").replace(/\/+$/, "");
}

/** The key aws gives the file at relPath (`/`-separated, relative to the volume root). */
export function keyFor(prefix: string, relPath: string): string {
  const p = normalizePrefix(prefix);
  return p === "" ? relPath : `${p}/${relPath}`;
}

/** The relative path a key stands for, or null when the key is not under the prefix. */
export function pathForKey(prefix: string, key: string): string | null {
  const p = normalizePrefix(prefix);
  if (p === "") return key === "" ? null : key;
  const head = `${p}/`;
  if (!key.startsWith(head) || key.length === head.length) return null;
  return key.slice(head.length);
}

/** The destination argument for aws: `s3://bucket/prefix/` (or `s3://bucket/`). */
export function s3Uri(bucket: string, prefix: string): string {
  const p = normalizePrefix(prefix);
  return p === "" ? `s3://${bucket}/` : `s3://${bucket}/${p}/`;
}
