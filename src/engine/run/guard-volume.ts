// Stage 4, guard (part two): with the scan and the bucket's first answer in hand, refuse a root that is not
// the volume this target was synced from, or an empty root over a full prefix (DESIGN.md "Guards").
import { judgeVolume } from "../guards";
import { s3Uri } from "../keys";
import type { ConnectedBucket } from "./connect-bucket";
import type { RunContext } from "./context";
import type { OpenedVolume } from "./open-volume";
import type { VolumeScan } from "./scan-stage";

export function guardVolume(ctx: RunContext, volume: OpenedVolume, scan: VolumeScan, bucket: ConnectedBucket): void {
  const refusal = judgeVolume({
    root: ctx.target.localPath,
    destination: s3Uri(ctx.target.bucket, ctx.prefix),
    facts: volume.facts,
    dbId: volume.dbId,
    recorded: volume.recorded,
    filesFound: scan.files.length,
    rootIsEmpty: scan.rootIsEmpty,
    bucketHasObjects: bucket.hasObjects,
  });
  if (refusal && !ctx.options.acceptVolume) throw refusal;
  ctx.openLog();
  if (refusal) ctx.notice(`Accepted on purpose (--accept-volume): ${refusal.message}`, "warning");
}
