// Public entry of the aws CLI runner; the code lives in ./aws-cli/ (index.ts is the API).
// Some resolvers (tsx) pick the directory for "./aws-cli", others (vite) this file: both get index.ts.
export * from "./aws-cli/index";
