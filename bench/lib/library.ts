// The rename scenario's media library and its reorganisation, both deterministic for a seed: the same
// files and the same changes are applied to every tool's copy.
import { randomFillSync } from "node:crypto";
import { mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { MiB } from "./report";

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ARTISTS = [
  "Sigur Rós",
  "Beyoncé",
  "坂本龍一",
  "Motörhead",
  "Björk",
  "Ólafur Arnalds",
  "Café Tacvba",
  "Кино",
  "東京事変",
  "Zoë Keating",
  "Αλκίνοος Ιωαννίδης",
  "Hüsker Dü",
  "Mø",
  "Amadou & Mariam",
  "Rosalía",
  "Émilie Simon",
  "Jóhann Jóhannsson",
  "Nils Frahm",
  "Ryuichi & Friends #2",
  "100% Dance",
];
const GENRES = ["House", "Deep House", "Techno", "Drum & Bass", "Disco-Edits", "Ambient ☁", "Breaks 🎧", "Jazz"];
const WORDS = [
  "Intro",
  "Svefn-g-englar",
  "Hold Up",
  "andata",
  "Ace of Spades",
  "Jóga",
  "Near Light",
  "Kukla",
  "群青日和",
  "Lullaby",
  "Ό,τι αγαπώ",
  "Celebrated Summer",
  "Kamikaze",
  "Sabali",
  "Malamente",
  "Désert",
  "Flight from the City",
  "Says",
  "Énergie",
  "Nocturne",
  "Mañana",
  "Ça plane",
  "Straße",
  "Æther",
];
const EXTS = [".flac", ".mp3", ".m4a", ".wav", ".aiff"];

export interface LibraryFile {
  path: string;
  size: number;
}

export interface LibrarySpec {
  files: LibraryFile[];
  totalBytes: number;
  /** The folder whose rename moves about a third of the files. */
  bigFolder: string;
}

const KiB = 1024;
const SMALL_MAX = 8 * MiB;
const LARGE_MIN = 8 * MiB + 512 * KiB;
const LARGE_MAX = 40 * MiB;

function logUniform(rand: () => number, min: number, max: number): number {
  return Math.round(Math.exp(Math.log(min) + rand() * (Math.log(max) - Math.log(min))));
}

/**
 * `count` files from 1 KiB to 40 MiB adding up to about `totalBytes`: about half the bytes in files over
 * 8 MiB (aws and rclone upload those in parts), the rest log-uniform below 8 MiB. A third of the files sit
 * under one folder ("Crates"), the rest under Artist/Album.
 */
export function librarySpec(totalBytes: number, count: number, seed = 1): LibrarySpec {
  const rand = prng(seed);
  const largeCount = Math.min(count >> 2, Math.max(4, Math.round((totalBytes * 0.5) / (20 * MiB))));
  const sizes: number[] = [];
  for (let i = 0; i < largeCount; i++) sizes.push(logUniform(rand, LARGE_MIN, LARGE_MAX));
  const largeBytes = sizes.reduce((a, b) => a + b, 0);
  const small = Array.from({ length: count - largeCount }, () => logUniform(rand, KiB, SMALL_MAX));
  const smallBytes = small.reduce((a, b) => a + b, 0);
  const scale = Math.max(0.01, (totalBytes - largeBytes) / smallBytes);
  for (const s of small) sizes.push(Math.min(SMALL_MAX, Math.max(KiB, Math.round(s * scale))));
  // Interleave large and small so both folders get some of each.
  for (let i = sizes.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [sizes[i], sizes[j]] = [sizes[j], sizes[i]];
  }
  const bigFolder = "Crates";
  const used = new Set<string>();
  const files = sizes.map((size, i) => {
    let rel: string;
    do {
      const track = `${String(1 + Math.floor(rand() * 30)).padStart(2, "0")} ${WORDS[Math.floor(rand() * WORDS.length)]}`;
      const ext = EXTS[Math.floor(rand() * EXTS.length)];
      if (i % 3 === 0) {
        const genre = GENRES[Math.floor(rand() * GENRES.length)];
        const sub = rand() < 0.5 ? `/${1990 + Math.floor(rand() * 35)}` : "";
        rel = `${bigFolder}/${genre}${sub}/${track}${ext}`;
      } else {
        const artist = ARTISTS[Math.floor(rand() * ARTISTS.length)];
        rel = `Artists/${artist}/Album ${1 + Math.floor(rand() * 6)} (${1970 + Math.floor(rand() * 55)})/${track}${ext}`;
      }
    } while (used.has(rel));
    used.add(rel);
    return { path: rel, size };
  });
  return { files, totalBytes: sizes.reduce((a, b) => a + b, 0), bigFolder };
}

/** Random bytes for a file (incompressible, like media). */
export function content(size: number): Buffer {
  return randomFillSync(Buffer.allocUnsafe(size));
}

export function writeFile(root: string, rel: string, data: Buffer, mtime?: Date): void {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, data);
  if (mtime) utimesSync(file, mtime, mtime);
}

export type Change =
  | { type: "rename"; from: string; to: string }
  | { type: "write"; path: string; data: Buffer }
  | { type: "delete"; path: string };

export interface ChangeSet {
  changes: Change[];
  counts: { folderRenamedFiles: number; renamedAcross: number; added: number; edited: number; deleted: number };
  /** Files over 8 MiB among the renamed ones. */
  largeRenamed: number;
  /** Every renamed file, with its path before and after the reorganisation (its bucket key once synced). */
  renamed: { from: string; to: string; size: number }[];
}

/**
 * The reorganisation: the big folder renamed, `across` files moved to other folders (and some renamed),
 * `added` new files, `edited` files rewritten in place (half of them with a new size), `deleted` removed.
 * Files for each kind of change are disjoint and taken outside the big folder.
 */
export function changeSet(
  spec: LibrarySpec,
  counts = { across: 50, added: 20, edited: 10, deleted: 10 },
  seed = 2,
): ChangeSet {
  const rand = prng(seed);
  const others = spec.files.filter((f) => !f.path.startsWith(`${spec.bigFolder}/`));
  for (let i = others.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [others[i], others[j]] = [others[j], others[i]];
  }
  const need = counts.across + counts.edited + counts.deleted;
  if (others.length < need)
    throw new Error(`the library has ${others.length} files outside ${spec.bigFolder}; need ${need}`);
  const across = others.slice(0, counts.across);
  const edited = others.slice(counts.across, counts.across + counts.edited);
  const deleted = others.slice(counts.across + counts.edited, need);
  const changes: Change[] = [];
  const newFolder = `${spec.bigFolder} (DJ sets, 2025) ✨`;
  changes.push({ type: "rename", from: spec.bigFolder, to: newFolder });
  across.forEach((f, i) => {
    const base = path.posix.basename(f.path);
    const name = i % 2 ? base : base.replace(/^\d\d /, "Fav – ");
    changes.push({ type: "rename", from: f.path, to: `Favourites/${ARTISTS[i % ARTISTS.length]}/${name}` });
  });
  for (const f of edited) {
    const size = changes.length % 2 ? f.size : f.size + 4096;
    changes.push({ type: "write", path: f.path, data: content(size) });
  }
  for (const f of deleted) changes.push({ type: "delete", path: f.path });
  for (let i = 0; i < counts.added; i++) {
    const size = i === 0 ? 12 * MiB : logUniform(rand, KiB, 4 * MiB);
    changes.push({
      type: "write",
      path: `Inbox/New ${String(i + 1).padStart(2, "0")} – ${WORDS[i % WORDS.length]}.mp3`,
      data: content(size),
    });
  }
  const inBig = spec.files.filter((f) => f.path.startsWith(`${spec.bigFolder}/`));
  const acrossTo = changes.slice(1, 1 + across.length).map((c) => (c.type === "rename" ? c.to : ""));
  const renamed = [
    ...inBig.map((f) => ({ from: f.path, to: newFolder + f.path.slice(spec.bigFolder.length), size: f.size })),
    ...across.map((f, i) => ({ from: f.path, to: acrossTo[i], size: f.size })),
  ];
  return {
    changes,
    counts: {
      folderRenamedFiles: inBig.length,
      renamedAcross: across.length,
      added: counts.added,
      edited: edited.length,
      deleted: deleted.length,
    },
    largeRenamed: renamed.filter((f) => f.size > 8 * MiB).length,
    renamed,
  };
}

export function applyChanges(root: string, set: ChangeSet): void {
  for (const change of set.changes) {
    if (change.type === "rename") {
      const to = path.join(root, change.to);
      mkdirSync(path.dirname(to), { recursive: true });
      renameSync(path.join(root, change.from), to);
    } else if (change.type === "write") {
      writeFile(root, change.path, change.data);
    } else {
      rmSync(path.join(root, change.path));
    }
  }
}
