// Turns the lines `aws s3 sync` prints into typed events. Formats come from aws-cli's
// awscli/customizations/s3/results.py (ResultPrinter) and utils.py (create_warning), identical in
// 1.x and 2.x: "upload: <local> to s3://<bucket>/<key>", "delete: s3://…", "(dryrun) …",
// "<op> failed: <src> [to <dest>] <exception>", "warning: Skipping file <path>. <why>",
// "fatal error: …" and "Completed <done>/<total> (<rate>) with <n> file(s) remaining", the last
// one ending in "\r". Every statement is right-padded with spaces to cover the previous progress line.
import path from "node:path";
import type { AwsEvent } from "./types";

export interface ParseContext {
  /** Working directory of the aws process: aws prints local paths relative to it. */
  cwd?: string;
  /** Absolute source root, to turn warned paths into relative ones. */
  sourceRoot?: string;
  /** `s3://bucket/prefix`, to turn keys into relative paths. */
  destination?: string;
}

const S3_SCHEME = "s3://";
const SEPARATOR = " to s3://";

/** Splits a chunk stream into statements: aws ends progress with "\r" and the rest with "\n". */
export function splitAwsOutput(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** Parses one statement; null for blank lines (aws clears its progress line with spaces). */
export function parseAwsLine(rawLine: string, context: ParseContext = {}): AwsEvent | null {
  const line = rawLine.replace(/[ \r\n]+$/, "");
  if (line.trim() === "") return null;

  const progress = parseProgress(line);
  if (progress) return progress;

  const dryRun = line.startsWith("(dryrun) ");
  const statement = dryRun ? line.slice("(dryrun) ".length) : line;

  const failed = /^(\w+) failed: (.*)$/s.exec(statement);
  if (failed) return parseFailure(line, failed[1], failed[2], context);

  const done = /^(upload|download|copy|move|delete): (.*)$/s.exec(statement);
  if (done) {
    const event = parseTransfer(done[1], done[2], dryRun, context);
    if (event) return event;
  }

  if (line.startsWith("warning: ")) return parseWarning(line, context);
  if (line.startsWith("fatal error: ")) return { type: "aws-error", message: line.slice(13), fatal: true };
  if (line.startsWith("cancelled: ")) return { type: "aws-error", message: line, fatal: true };
  return { type: "aws-output", line };
}

const SIZE_UNITS: Record<string, number> = {
  Byte: 1,
  Bytes: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  PiB: 1024 ** 5,
  EiB: 1024 ** 6,
};

/** "12.5 MiB" → bytes (aws rounds to one decimal, so this is approximate above 1 KiB). */
export function parseHumanSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?) (Bytes?|[KMGTPE]iB)$/.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * SIZE_UNITS[match[2]]);
}

const BYTE_PROGRESS =
  /^Completed (.+?)\/(~?)(.+?) \((.+?)\) with (~?)(\d+) file\(s\) remaining( \(calculating\.\.\.\))?$/;
const FILE_PROGRESS = /^Completed (\d+) file\(s\) with (~?)(\d+) file\(s\) remaining( \(calculating\.\.\.\))?$/;

function parseProgress(line: string): AwsEvent | null {
  if (!line.startsWith("Completed ")) return null;
  const bytes = BYTE_PROGRESS.exec(line);
  if (bytes) {
    const doneBytes = parseHumanSize(bytes[1]);
    const totalBytes = parseHumanSize(bytes[3]);
    if (doneBytes === undefined || totalBytes === undefined) return null;
    return {
      type: "aws-progress",
      doneBytes,
      totalBytes,
      filesRemaining: Number(bytes[6]),
      rate: bytes[4],
      totalFinal: !bytes[2] && !bytes[5] && !bytes[7],
    };
  }
  const files = FILE_PROGRESS.exec(line);
  if (files) {
    return {
      type: "aws-progress",
      doneBytes: 0,
      totalBytes: 0,
      filesDone: Number(files[1]),
      filesRemaining: Number(files[3]),
      totalFinal: !files[2] && !files[4],
    };
  }
  return null;
}

function parseTransfer(operation: string, location: string, dryRun: boolean, context: ParseContext): AwsEvent | null {
  if (operation === "delete") {
    if (!location.startsWith(S3_SCHEME)) return null; // a local delete (download sync): not ours
    const key = splitS3Uri(location).key;
    return { type: "aws-delete", key, path: relativeKey(location, context), dryRun };
  }
  const split = splitLocation(location);
  if (!split) return null;
  if (operation === "upload") {
    const uri = restoreTrailingSpaces(split.source, split.destination);
    return {
      type: "aws-upload",
      localPath: context.cwd ? path.resolve(context.cwd, split.source) : split.source,
      key: splitS3Uri(uri).key,
      path: relativeKey(uri, context),
      dryRun,
    };
  }
  if (operation === "copy" || operation === "move") {
    return { type: "aws-copy", from: split.source, key: splitS3Uri(split.destination).key, dryRun };
  }
  return null;
}

function parseFailure(line: string, operation: string, rest: string, context: ParseContext): AwsEvent {
  const at = rest.indexOf(SEPARATOR);
  const source = at > 0 && !rest.startsWith(S3_SCHEME) ? rest.slice(0, at) : undefined;
  return {
    type: "aws-error",
    message: line,
    operation,
    localPath: source && context.cwd ? path.resolve(context.cwd, source) : source,
    fatal: false,
  };
}

const SKIPPING = "warning: Skipping file ";
// The reasons aws gives when it skips a local file (filegenerator.py); the path sits between.
const SKIP_REASONS = [
  "File does not exist.",
  "File is character special device, block special device, FIFO, or socket.",
  "File/Directory is not readable.",
  "Please check your locale settings.",
];

function parseWarning(line: string, context: ParseContext): AwsEvent {
  if (!line.startsWith(SKIPPING)) return { type: "aws-warning", message: line };
  const body = line.slice(SKIPPING.length);
  let skipped: string | undefined;
  for (const reason of SKIP_REASONS) {
    const at = body.indexOf(`. ${reason}`);
    if (at >= 0) {
      skipped = body.slice(0, at);
      break;
    }
  }
  if (skipped === undefined) skipped = /^(.*?)\. /s.exec(body)?.[1];
  if (skipped === undefined) return { type: "aws-warning", message: line };
  return { type: "aws-warning", message: line, path: skipped, relativePath: relativeLocal(skipped, context) };
}

/** "<local> to s3://<uri>": a local path never holds "//", so the first " to s3://" is the split. */
function splitLocation(location: string): { source: string; destination: string } | null {
  const at = location.indexOf(SEPARATOR);
  if (at < 0) return null;
  return { source: location.slice(0, at), destination: location.slice(at + " to ".length) };
}

/** The padding trim ate trailing spaces of the key; the local name, printed before " to ", kept them. */
function restoreTrailingSpaces(source: string, destination: string): string {
  const base = baseName(source);
  const destinationBase = baseName(destination);
  if (base !== destinationBase && base.startsWith(destinationBase) && /^ +$/.test(base.slice(destinationBase.length))) {
    return destination + base.slice(destinationBase.length);
  }
  return destination;
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

export function splitS3Uri(uri: string): { bucket: string; key: string } {
  const rest = uri.startsWith(S3_SCHEME) ? uri.slice(S3_SCHEME.length) : uri;
  const slash = rest.indexOf("/");
  return slash < 0 ? { bucket: rest, key: "" } : { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

/** `s3://b/p` and `s3://b/p/` both mean keys under `p/` (aws adds the slash). */
export function destinationPrefix(destination: string): { bucket: string; prefix: string } {
  const { bucket, key } = splitS3Uri(destination);
  return { bucket, prefix: key === "" || key.endsWith("/") ? key : `${key}/` };
}

function relativeKey(uri: string, context: ParseContext): string | undefined {
  if (!context.destination) return undefined;
  const { bucket, prefix } = destinationPrefix(context.destination);
  const object = splitS3Uri(uri);
  if (object.bucket !== bucket || !object.key.startsWith(prefix)) return undefined;
  return object.key.slice(prefix.length);
}

function relativeLocal(printed: string, context: ParseContext): string | undefined {
  if (!context.sourceRoot || !path.isAbsolute(printed)) return undefined;
  const relative = path.relative(context.sourceRoot, printed);
  if (relative === "" || relative === ".." || relative.startsWith("../") || path.isAbsolute(relative)) return undefined;
  return relative.split(path.sep).join("/");
}
