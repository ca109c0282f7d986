// Module hooks for the fauxqs child: stub `node:sqlite` and teach the listing XML the stored class.
// fauxqs is pinned at 2.4.1, so each source patch must apply exactly or startup fails loudly.
const SQLITE_STUB = new URL("./sqlite-stub.mjs", import.meta.url).href;

const SOURCE_PATCHES = [
  {
    file: "/fauxqs/dist/s3/actions/listObjects.js",
    from: 'StorageClass: "STANDARD",',
    to: 'StorageClass: obj.storageClass ?? "STANDARD",',
    count: 2,
  },
  {
    file: "/fauxqs/dist/s3/actions/listObjects.js",
    from: "const { objects, commonPrefixes, isTruncated } = store.listObjects(",
    to: "const { objects, commonPrefixes, isTruncated, resumeAfter } = store.listObjects(",
    count: 2,
  },
  {
    file: "/fauxqs/dist/s3/actions/listObjects.js",
    from: "const lastKey = objects.length > 0",
    to: "const lastKey = resumeAfter ? resumeAfter : objects.length > 0",
    count: 1,
  },
  {
    file: "/fauxqs/dist/s3/actions/listObjects.js",
    from: "const nextMarker = isTruncated\n        ? objects.length > 0",
    to: "const nextMarker = isTruncated\n        ? resumeAfter ? resumeAfter : objects.length > 0",
    count: 1,
  },
];

export async function resolve(specifier, context, nextResolve) {
  if (specifier === "node:sqlite" || specifier === "sqlite") {
    return { url: SQLITE_STUB, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  const patches = SOURCE_PATCHES.filter((p) => url.endsWith(p.file));
  if (patches.length === 0) return nextLoad(url, context);
  const loaded = await nextLoad(url, { ...context, format: "module" });
  let source = String(loaded.source);
  for (const patch of patches) {
    const found = source.split(patch.from).length - 1;
    if (found !== patch.count) {
      throw new Error(
        `local-s3: cannot patch ${patch.file} (expected ${patch.count} of ${patch.from}, found ${found})`,
      );
    }
    source = source.replaceAll(patch.from, patch.to);
  }
  return { format: "module", source, shortCircuit: true };
}
