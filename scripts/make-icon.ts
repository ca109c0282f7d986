// Draws assets/icon.png (512×512): a cloud-blue rounded square, a white bucket and two arrows swapping
// places (a move instead of a re-upload). Pure code, no image tools: `tsx scripts/make-icon.ts`.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

const SIZE = 512;
const px = new Uint8Array(SIZE * SIZE * 4);

type RGBA = [number, number, number, number];

function blend(x: number, y: number, [r, g, b, a]: RGBA, coverage: number): void {
  if (x < 0 || y < 0 || x >= SIZE || y >= SIZE || coverage <= 0) return;
  const i = (y * SIZE + x) * 4;
  const alpha = (a / 255) * Math.min(1, coverage);
  const base = px[i + 3]! / 255;
  const out = alpha + base * (1 - alpha);
  for (const [k, c] of [r, g, b].entries())
    px[i + k] = Math.round((c * alpha + px[i + k]! * base * (1 - alpha)) / (out || 1));
  px[i + 3] = Math.round(out * 255);
}

/** Fills where `inside(x, y)` gives a signed distance (negative inside), anti-aliased over one pixel. */
function fill(color: RGBA | ((x: number, y: number) => RGBA), distance: (x: number, y: number) => number): void {
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const d = distance(x + 0.5, y + 0.5);
      if (d < 1) blend(x, y, typeof color === "function" ? color(x, y) : color, 0.5 - d);
    }
}

const roundRect = (x0: number, y0: number, x1: number, y1: number, r: number) => (x: number, y: number) => {
  const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
  const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
  return Math.hypot(dx, dy) - r + Math.min(0, Math.max(x0 + r - x, x - (x1 - r), y0 + r - y, y - (y1 - r)));
};

/** A convex polygon's signed distance (approximate: max of the edges' half-plane distances). */
const polygon = (points: [number, number][]) => (x: number, y: number) => {
  // Inside means on the same side of every edge, whichever way the points go round.
  let left = -Infinity;
  let right = -Infinity;
  for (let i = 0; i < points.length; i++) {
    const [ax, ay] = points[i]!;
    const [bx, by] = points[(i + 1) % points.length]!;
    const side = ((bx - ax) * (y - ay) - (by - ay) * (x - ax)) / Math.hypot(bx - ax, by - ay);
    left = Math.max(left, side);
    right = Math.max(right, -side);
  }
  return Math.min(left, right);
};

// Background: a vertical gradient from sky blue to deep blue.
fill(
  (_x, y) => [Math.round(40 + (1 - y / SIZE) * 30), Math.round(120 + (1 - y / SIZE) * 70), 235, 255],
  roundRect(16, 16, 496, 496, 100),
);
// Bucket: a trapezoid with a rim.
const white: RGBA = [255, 255, 255, 255];
fill(
  white,
  polygon([
    [150, 250],
    [362, 250],
    [336, 420],
    [176, 420],
  ]),
);
fill(white, roundRect(136, 226, 376, 256, 14));
// Two arrows over the bucket: one right (top), one left (below), the "move".
// The arrow polygons are not convex: draw shaft and head apart.
for (const [y, dir] of [
  [120, 1],
  [186, -1],
] as const) {
  const shaft = dir === 1 ? roundRect(150, y - 14, 336, y + 14, 8) : roundRect(176, y - 14, 362, y + 14, 8);
  fill(white, shaft);
  const tip = dir === 1 ? 384 : 128;
  const back = dir === 1 ? 322 : 190;
  fill(
    white,
    dir === 1
      ? polygon([
          [back, y - 40],
          [tip, y],
          [back, y + 40],
        ])
      : polygon([
          [back, y + 40],
          [tip, y],
          [back, y - 40],
        ]),
  );
}
// A band on the bucket in the background's blue.
fill(
  [52, 140, 235, 255],
  polygon([
    [160, 310],
    [352, 310],
    [348, 336],
    [164, 336],
  ]),
);

function png(width: number, height: number, rgba: Uint8Array): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) rows.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../assets/icon.png");
writeFileSync(out, png(SIZE, SIZE, px));
console.log(`wrote ${out}`);
