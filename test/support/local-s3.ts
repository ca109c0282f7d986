// Public entry of the local S3 test server; the code lives in ./local-s3/ (index.ts is the API).
// Some resolvers (tsx) pick the directory for "./local-s3", others (vite) this file: both get index.ts.
export * from "./local-s3/index";
