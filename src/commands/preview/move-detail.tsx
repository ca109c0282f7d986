// Show Details: everything known about one pending move, with the move's own actions.
import { Detail } from "@raycast/api";
import type { ReactNode } from "react";
import { evidenceText } from "../../cli/output";
import { formatBytes } from "../../engine/format";
import { s3Uri } from "../../engine/keys";
import { dependentMoves, moveTitle, type PreviewMove, type PreviewTarget } from "./fetch";

const KIND_TEXT: Record<PreviewMove["kind"], string> = {
  ready: "Ready: a server-side copy and delete",
  archived: "Waiting: the old object is archived and must be restored first",
  unverifiable: "Cannot be verified in S3: aws will upload the file instead",
};

function copyText(move: PreviewMove): string {
  if (move.fromTarget) return `, a copy from ${move.fromTarget}: its sync then deletes the object there`;
  return move.copy ? ", a copy: the source object stays" : "";
}

export function MoveDetail({ move, entry, actions }: { move: PreviewMove; entry: PreviewTarget; actions: ReactNode }) {
  const { target } = entry;
  const dependents = dependentMoves(move, entry.moves);
  const markdown = [
    `# ${moveTitle(move)}`,
    "",
    `\`${move.from}\``,
    "",
    "↓",
    "",
    `\`${move.to}\``,
    move.reason ? `\n> ${move.reason}` : "",
    dependents.length
      ? `\nApplied together with ${dependents.map((m) => `\`${m.from}\` → \`${m.to}\``).join(", ")} (a chain or swap of names).`
      : "",
  ].join("\n");
  return (
    <Detail
      navigationTitle={moveTitle(move)}
      markdown={markdown}
      actions={actions}
      metadata={
        <Detail.Metadata>
          <Detail.Metadata.Label title="Target" text={`${target.name} → ${s3Uri(target.bucket, target.prefix)}`} />
          <Detail.Metadata.Label
            title="State"
            text={
              move.fromTarget
                ? `Made by the next sync of all targets: a server-side copy from ${move.fromTarget}`
                : KIND_TEXT[move.kind]
            }
          />
          <Detail.Metadata.Label title="Evidence" text={`${evidenceText(move)}${copyText(move)}`} />
          <Detail.Metadata.Separator />
          <Detail.Metadata.Label title="Inode" text={move.inode === undefined ? "Unknown" : String(move.inode)} />
          <Detail.Metadata.Label
            title="Size"
            text={`${formatBytes(move.size)} (${move.size.toLocaleString("en-US")} bytes)`}
          />
          <Detail.Metadata.Label
            title="Modified"
            text={move.mtime === undefined ? "Unknown" : new Date(move.mtime * 1000).toLocaleString()}
          />
          <Detail.Metadata.Label title="Storage Class" text={move.storageClass ?? "STANDARD"} />
          <Detail.Metadata.Separator />
          <Detail.Metadata.Label
            title="Old Key"
            text={move.fromBucket ? `s3://${move.fromBucket}/${move.fromKey}` : move.fromKey}
          />
          <Detail.Metadata.Label title="New Key" text={move.toKey} />
        </Detail.Metadata>
      }
    />
  );
}
