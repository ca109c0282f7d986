// What the bucket holds under a target's prefix: the whole listing, or what stands at a few keys.
import type { BucketGateway } from "../s3";
import type { S3ObjectInfo } from "../types";

/** Up to this many keys: a HEAD each; more: one listing of the prefix (a request per 1,000 keys). */
const HEAD_UP_TO = 200;

export async function listPrefix(
  gateway: BucketGateway,
  prefix: string,
  onPage?: (count: number) => void,
  signal?: AbortSignal,
): Promise<Map<string, S3ObjectInfo>> {
  const objects = await gateway.listAll(prefix ? `${prefix}/` : "", { onPage, signal });
  // A loop, not `new Map(objects.map(...))`: no million pairs on the way.
  const byKey = new Map<string, S3ObjectInfo>();
  for (const object of objects) byKey.set(object.key, object);
  return byKey;
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
