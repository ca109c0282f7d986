// fauxqs modules by file path: the store class must be the very instance app.js uses.
// Import only after hooks.mjs is registered (node:sqlite stub, source patches).
const appUrl = import.meta.resolve("fauxqs");

export const { buildApp } = await import(appUrl);
export const { S3Store } = await import(new URL("./s3/s3Store.js", appUrl).href);
export const { S3Error } = await import(new URL("./common/errors.js", appUrl).href);
