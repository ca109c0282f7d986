// Progress and results as typed events. The engine emits; front ends (progress bar, Raycast toast, the run
// log) consume. Nothing here renders.
import type { AwsEvent } from "./aws-cli";
import type { MoveOutcome } from "./mover";
import type { TargetReport } from "./report";

export type Phase = "lock" | "database" | "resume" | "scan" | "list" | "plan" | "hash" | "move" | "aws" | "record";

export type EngineEvent =
  | { type: "target-start"; target: string; localPath: string; destination: string; dryRun: boolean }
  | { type: "phase"; target: string; phase: Phase }
  | { type: "notice"; target: string; level: "info" | "warning"; message: string }
  | { type: "scan-progress"; target: string; files: number }
  | { type: "list-progress"; target: string; objects: number }
  /** Files read to prove their content equal to objects (content-proven moves and copies). */
  | { type: "hash-progress"; target: string; bytes: number; totalBytes: number; files: number }
  | {
      type: "plan";
      target: string;
      moves: number;
      archived: number;
      rejected: number;
      newFiles: number;
      modified: number;
      deleted: number;
      bytesSaved: number;
    }
  | { type: "move"; target: string; outcome: MoveOutcome; done: number; failed: number; total: number; dryRun: boolean }
  | { type: "aws"; target: string; event: AwsEvent }
  | { type: "target-end"; target: string; report: TargetReport };

export type EventSink = (event: EngineEvent) => void;
