// What the bucket holds under a target's prefix: the whole listing, or what stands at a few keys.
import { ListedObjects } from "../listed-objects";
import type { BucketGateway } from "../s3";
import type { FileRecord, S3ObjectInfo } from "../types";

/** Up to this many keys: a HEAD each; more: one listing of the prefix (a request per 1,000 keys). */
const HEAD_UP_TO = 200;

/**
 * The prefix's listing by key. `rows`, the DB's rows in path order, lend it their path and ETag strings
 * where they say the same (listed-objects.ts).
 */
export async function listPrefix(
  gateway: BucketGateway,
  prefix: string,
  onPage?: (count: number) => void,
  signal?: AbortSignal,
  rows?: readonly FileRecord[],
): Promise<ListedObjects> {
  const listed = new ListedObjects(prefix, rows);
  await gateway.listEach(prefix ? `${prefix}/` : "", (object) => listed.add(object), { onPage, signal });
  return listed;
}

/** The objects standing at `keys` now (absent keys are left out), by HEADs or one listing. */
export async function objectsAt(
  gateway: BucketGateway,
  prefix: string,
  keys: Iterable<string>,
  signal?: AbortSignal,
): Promise<Map<string, S3ObjectInfo>> {
  const wanted = [...new Set(keys)];
  const found = new Map<string, S3ObjectInfo>();
  if (wanted.length > HEAD_UP_TO) {
    const listed = await listPrefix(gateway, prefix, undefined, signal);
    for (const key of wanted) {
      const object = listed.get(key);
      if (object) found.set(key, object);
    }
    return found;
  }
  // The gateway's request limit bounds how many are in flight.
  await Promise.all(
    wanted.map(async (key) => {
      const head = await gateway.head(key, { signal });
      if (head) found.set(key, head);
    }),
  );
  return found;
}
