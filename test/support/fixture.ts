// The setup every integration file shares: a local S3 server for the file, an SDK client on it, fresh
// buckets, and temporary volumes removed when the file is done.
import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll } from "vitest";
import { s3ClientConfig, useLocalS3 } from "./local-s3";
import { Volume } from "./volume";

export function useS3Fixture(name: string) {
  const local = useLocalS3();
  const s3 = {} as { client: S3Client };
  const volumes: Volume[] = [];
  let buckets = 0;
  beforeAll(() => {
    s3.client = new S3Client(s3ClientConfig(local));
  });
  afterAll(() => {
    s3.client?.destroy();
    for (const v of volumes) v.dispose();
  });
  return {
    local,
    /** Filled once the server runs: read `s3.client` inside tests and hooks. */
    s3,
    volume(): Volume {
      const v = new Volume(name);
      volumes.push(v);
      return v;
    },
    async freshBucket(): Promise<string> {
      const bucket = `${name}-${++buckets}`;
      await local.createBucket(bucket);
      return bucket;
    },
  };
}
