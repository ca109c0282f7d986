// Stand-in for `node:sqlite` (absent on Node 20, experimental on 22): fauxqs only needs it for
// optional persistence, which the test server never enables.
export class DatabaseSync {
  constructor() {
    throw new Error("node:sqlite is stubbed in the local S3 test server (persistence is disabled)");
  }
}
export class StatementSync {}
export default { DatabaseSync, StatementSync };
