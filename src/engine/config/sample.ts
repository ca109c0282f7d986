// The file `s3-smart-sync init` writes: every column and option explained, examples commented out.

import { STORAGE_CLASSES } from "./schema";

export function sampleConfig(): string {
  return `# S3 Smart Sync configuration
#
# One target per line: a local folder (usually a whole volume) mirrored to an S3 bucket and prefix.
#
#   local_path | bucket | prefix | excludes | options
#
# local_path  Absolute path of the folder to sync; "~" is your home folder. A trailing "/." or "/" is
#             ignored. Each local path may appear once: its state file (.s3-smart-sync.db) remembers one
#             bucket and prefix.
# bucket      S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens.
# prefix      Key prefix inside the bucket; leave it empty for the bucket root. Two targets may not
#             share or nest destinations: each sync --delete would delete the other's objects.
# excludes    Comma-separated patterns, read exactly as "aws s3 sync --exclude" reads them: each is joined
#             onto local_path and matched against whole paths, and "*" also matches "/". So ".*" skips
#             hidden files at any depth, "*/.*" hidden names below the top level.
# options     Comma-separated key=value settings for this target (see below).
#
# Trailing columns may be left out. An empty column in the middle keeps its "|":
#   /Volumes/Photos | my-photos | | | profile=personal
# Spaces around cells are ignored. "#" starts a comment only at the start of a line.
# "|" and "," are separators: they cannot appear inside a path, pattern or option value.
#
# Options:
#   name=Vault                   Display name; the folder's name by default. Names must be unique.
#   profile=personal             AWS profile (from ~/.aws/config) to use.
#   region=eu-west-1             Region of the bucket.
#   endpoint=https://s3.example.com
#                                Endpoint URL of an S3-compatible store (http:// or https://).
#   path_style=true              Path-style addressing: true or false; true by default when endpoint is set
#                                (aws is told too where it would choose otherwise).
#   storage_class=STANDARD_IA    Storage class of new uploads (aws --storage-class): one of
#                                ${STORAGE_CLASSES.join(", ")}.
#                                Moves keep each object's own storage class.
#   archived=wait                Moves whose old object is archived (Glacier, Deep Archive):
#                                wait = leave them until "s3-smart-sync restore" brings the object back,
#                                upload = let aws upload the file again.
#   aws_cli=/opt/homebrew/bin/aws
#                                The aws CLI to run; by default found on PATH and in the Homebrew folders.
#   concurrency=16               S3 requests at once while moving objects (1 to 256).
#   multipart_threshold=5GiB     Objects larger than this are copied in parts (at most 5GiB). Sizes take
#                                B, KiB, MiB, GiB, TiB; KB, MB, GB, TB mean the same (as in the aws CLI).
#   prove_min_size=256KiB        Files smaller than this are uploaded rather than proven equal to an object
#                                by hashing (renames found by content, copies of objects the bucket holds).
#   hash_budget=64GiB            Bytes read per run to prove content; files beyond it are left to aws.
#   part_size=16MiB              Part size of another tool that uploaded to the bucket, tried when proving
#                                multipart ETags (the aws CLI's sizes are always tried).
#   max_deletes=10000            A sync that would delete more objects than this is refused until you
#                                confirm it (s3-smart-sync --allow-deletes, or the confirmation in Raycast).
#   max_delete_share=50%         The same for a share of the prefix's objects (once it holds 20 or more).
#   aws_max_concurrent_requests=10
#                                Uploads aws makes at once (its max_concurrent_requests; 1 to 256).
#   aws_multipart_chunksize=8MiB Part size of aws's multipart uploads (5MiB to 5GiB). Both go to aws in a
#                                private copy of your aws config; unset, aws uses that config's own values.
#
# Defaults for every target, wherever the line sits in the file; a target's own options win.
# All options but name may be defaults:
#   defaults | profile=personal, region=eu-west-1
#
# Examples: remove the leading "# " to use one.
# ~/music/.          | bucket-music   |        | *.m4p, .*, */.*
# /Volumes/Vault/.   | bucket-vault   | crates | .*, */.*
# /Volumes/Photos    | my-photos      | 2024   |          | storage_class=GLACIER_IR, archived=wait
# /Volumes/Archive   | archive        |        | .*       | endpoint=http://nas.local:9000, profile=nas
`;
}
