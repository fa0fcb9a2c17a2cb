// Writes the image fixtures under tests/fixtures/images/: real JPEG and PNG files of synthetic but
// photo-like content (smooth gradients, a disc, a bar, a corner marker so orientation is visible), plus
// the broken files the error paths need. Deterministic: re-running rewrites identical bytes.
//   npx tsx scripts/make-image-fixtures.ts
// JPEGs come from jpeg-js's encoder (always 3 components, no chroma subsampling). jpeg-js cannot write a
// one-component JPEG, so the one-component JPEG, a progressive 4:2:0 JPEG and the WebP sample are made by Debian's Pillow (/usr/bin/python3,
// package python3-pil); without it those files are kept as committed.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jpeg from 'jpeg-js';
import { encode as encodePng } from 'fast-png';

const out = join(dirname(fileURLToPath(import.meta.url)), '../tests/fixtures/images');
await mkdir(out, { recursive: true });

type Rgb = [number, number, number];

/** The scene in display coordinates, u and v in [0, 1): sky-to-ground gradient, a disc, a bar, a red top-left marker. */
function scene(u: number, v: number): Rgb {
  let r = 70 + 120 * v + 30 * Math.sin(6 * u);
  let g = 110 + 90 * u - 40 * v;
  let b = 200 - 150 * v + 20 * Math.cos(9 * u * v);
  const du = u - 0.62;
  const dv = v - 0.55;
  if (du * du + dv * dv < 0.045) {
    const shade = 1 - 2.5 * (du * du + dv * dv);
    [r, g, b] = [230 * shade, 190 * shade, 40 * shade];
  }
  if (u > 0.15 && u < 0.45 && v > 0.7 && v < 0.8) [r, g, b] = [40, 40, 60];
  if (u < 0.2 && v < 0.25) [r, g, b] = [220, 30, 30];
  const clamp = (x: number): number => Math.max(0, Math.min(255, Math.round(x)));
  return [clamp(r), clamp(g), clamp(b)];
}

function render(width: number, height: number, channels: 1 | 3 | 4): Uint8Array {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = scene((x + 0.5) / width, (y + 0.5) / height);
      const o = (y * width + x) * channels;
      if (channels === 1) {
        data[o] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
      } else {
        data[o] = r;
        data[o + 1] = g;
        data[o + 2] = b;
        // Alpha: opaque on the left, fading to transparent on the right.
        if (channels === 4) data[o + 3] = Math.round(255 * (1 - x / (width - 1)));
      }
    }
  }
  return data;
}

function encodeJpeg(width: number, height: number, rgb: Uint8Array, quality = 85): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba.set(rgb.subarray(p * 3, p * 3 + 3), p * 4);
    rgba[p * 4 + 3] = 255;
  }
  return new Uint8Array(jpeg.encode({ width, height, data: rgba }, quality).data);
}

// Where stored pixel (sx, sy) of a sw×sh image is shown, per EXIF orientation (written from the EXIF
// definitions, independently of shared/src/image/exif.ts, so the tests check one against the other).
function storedToDisplay(o: number, sx: number, sy: number, sw: number, sh: number): [number, number] {
  switch (o) {
    case 2:
      return [sw - 1 - sx, sy];
    case 3:
      return [sw - 1 - sx, sh - 1 - sy];
    case 4:
      return [sx, sh - 1 - sy];
    case 5:
      return [sy, sx];
    case 6:
      return [sh - 1 - sy, sx];
    case 7:
      return [sh - 1 - sy, sw - 1 - sx];
    case 8:
      return [sy, sw - 1 - sx];
    default:
      return [sx, sy];
  }
}

/** An APP1 segment holding a one-entry IFD0 with the orientation tag. */
function exifSegment(orientation: number, littleEndian: boolean): Uint8Array {
  const tiff = new Uint8Array(8 + 2 + 12 + 4);
  const view = new DataView(tiff.buffer);
  tiff.set(littleEndian ? [0x49, 0x49] : [0x4d, 0x4d]);
  view.setUint16(2, 42, littleEndian);
  view.setUint32(4, 8, littleEndian);
  view.setUint16(8, 1, littleEndian);
  view.setUint16(10, 0x0112, littleEndian); // Orientation
  view.setUint16(12, 3, littleEndian); // SHORT
  view.setUint32(14, 1, littleEndian);
  view.setUint16(18, orientation, littleEndian);
  const body = [...new TextEncoder().encode('Exif'), 0, 0, ...tiff];
  const length = body.length + 2;
  return new Uint8Array([0xff, 0xe1, length >> 8, length & 0xff, ...body]);
}

function withExif(jpegBytes: Uint8Array, orientation: number, littleEndian: boolean): Uint8Array {
  const segment = exifSegment(orientation, littleEndian);
  const result = new Uint8Array(jpegBytes.length + segment.length);
  result.set(jpegBytes.subarray(0, 2)); // SOI
  result.set(segment, 2);
  result.set(jpegBytes.subarray(2), 2 + segment.length);
  return result;
}

function pillow(code: string, input: Uint8Array): Uint8Array | null {
  if (!existsSync('/usr/bin/python3')) return null;
  try {
    return new Uint8Array(execFileSync('/usr/bin/python3', ['-c', code], { input }));
  } catch {
    return null;
  }
}

function pgm(width: number, height: number, gray: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(`P5\n${width} ${height}\n255\n`);
  const bytes = new Uint8Array(head.length + gray.length);
  bytes.set(head);
  bytes.set(gray, head.length);
  return bytes;
}

function ppm(width: number, height: number, rgb: Uint8Array): Uint8Array {
  const head = new TextEncoder().encode(`P6\n${width} ${height}\n255\n`);
  const bytes = new Uint8Array(head.length + rgb.length);
  bytes.set(head);
  bytes.set(rgb, head.length);
  return bytes;
}

const files: Record<string, Uint8Array> = {};

// Colour JPEGs: a photo-sized one and a small odd-sized one.
files['color-640x427.jpg'] = encodeJpeg(640, 427, render(640, 427, 3), 80);
files['color-37x23.jpg'] = encodeJpeg(37, 23, render(37, 23, 3));

// Orientation set: the scene shown at 48×32, stored as each orientation needs, tagged with EXIF 1..8.
const DW = 48;
const DH = 32;
for (let o = 1; o <= 8; o++) {
  const [sw, sh] = o >= 5 ? [DH, DW] : [DW, DH];
  const rgb = new Uint8Array(sw * sh * 3);
  for (let sy = 0; sy < sh; sy++) {
    for (let sx = 0; sx < sw; sx++) {
      const [dx, dy] = storedToDisplay(o, sx, sy, sw, sh);
      rgb.set(scene((dx + 0.5) / DW, (dy + 0.5) / DH), (sy * sw + sx) * 3);
    }
  }
  files[`orientation-${o}.jpg`] = withExif(encodeJpeg(sw, sh, rgb, 92), o, o % 2 === 0);
}

// PNGs: colour, odd-sized gray, RGBA, palette, 16-bit colour, 1-bit gray.
files['color-50x40.png'] = encodePng({ width: 50, height: 40, data: render(50, 40, 3), channels: 3, depth: 8 });
files['gray-33x21.png'] = encodePng({ width: 33, height: 21, data: render(33, 21, 1), channels: 1, depth: 8 });
files['rgba-40x30.png'] = encodePng({ width: 40, height: 30, data: render(40, 30, 4), channels: 4, depth: 8 });
{
  const palette = [
    [20, 40, 200],
    [230, 190, 40],
    [40, 40, 60],
    [220, 30, 30],
  ];
  const rgb = render(40, 30, 3);
  const indices = new Uint8Array(40 * 30);
  for (let p = 0; p < indices.length; p++) {
    // Nearest palette colour: a posterised copy of the scene.
    let best = 0;
    let bestDistance = Infinity;
    palette.forEach(([r, g, b], i) => {
      const d = (rgb[p * 3]! - r!) ** 2 + (rgb[p * 3 + 1]! - g!) ** 2 + (rgb[p * 3 + 2]! - b!) ** 2;
      if (d < bestDistance) [best, bestDistance] = [i, d];
    });
    indices[p] = best;
  }
  files['palette-40x30.png'] = encodePng({ width: 40, height: 30, data: indices, channels: 1, depth: 8, palette });
}
{
  const rgb = render(24, 16, 3);
  const wide = new Uint16Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) wide[i] = rgb[i]! * 257 + (i % 7) * 9; // genuine low byte detail
  files['color16-24x16.png'] = encodePng({ width: 24, height: 16, data: wide, channels: 3, depth: 16 });
}
{
  const gray = render(19, 11, 1);
  const rowBytes = Math.ceil(19 / 8);
  const packed = new Uint8Array(rowBytes * 11);
  for (let y = 0; y < 11; y++) {
    for (let x = 0; x < 19; x++) if (gray[y * 19 + x]! >= 128) packed[y * rowBytes + (x >> 3)]! |= 0x80 >> (x & 7);
  }
  files['bilevel-19x11.png'] = encodePng({ width: 19, height: 11, data: packed, channels: 1, depth: 1 });
}

// One-component JPEG and a real WebP, through Pillow.
const grayJpeg = pillow(
  'import sys,io\nfrom PIL import Image\nImage.open(io.BytesIO(sys.stdin.buffer.read())).save(sys.stdout.buffer, "JPEG", quality=85)',
  pgm(61, 45, render(61, 45, 1)),
);
if (grayJpeg) files['gray-61x45.jpg'] = grayJpeg;
// What cameras and browsers write, which jpeg-js's encoder cannot: progressive, 4:2:0 chroma subsampling.
const progressive = pillow(
  'import sys,io\nfrom PIL import Image\nImage.open(io.BytesIO(sys.stdin.buffer.read())).save(sys.stdout.buffer, "JPEG", quality=85, progressive=True, subsampling=2)',
  ppm(75, 50, render(75, 50, 3)),
);
if (progressive) files['progressive-420-75x50.jpg'] = progressive;
const webp = pillow(
  'import sys,io\nfrom PIL import Image\nImage.open(io.BytesIO(sys.stdin.buffer.read())).convert("RGB").save(sys.stdout.buffer, "WEBP", quality=80)',
  pgm(32, 24, render(32, 24, 1)),
);
if (webp) files['sample-32x24.webp'] = webp;

// Broken files for the error paths.
const colorJpeg = files['color-37x23.jpg']!;
files['truncated.jpg'] = colorJpeg.subarray(0, Math.floor(colorJpeg.length * 0.6));
const colorPng = files['color-50x40.png']!;
files['truncated.png'] = colorPng.subarray(0, Math.floor(colorPng.length * 0.6));
files['empty.jpg'] = new Uint8Array(0);
files['not-an-image.jpg'] = new TextEncoder().encode('GIF89a is not what this file is: plain text with a .jpg name\n');
{
  // A PNG whose IHDR claims 50000×50000 (2.5 gigapixels) over one tiny IDAT: a decompression-bomb shape.
  const real = encodePng({ width: 1, height: 1, data: new Uint8Array([0]), channels: 1, depth: 8 });
  const bomb = real.slice();
  const view = new DataView(bomb.buffer);
  view.setUint32(16, 50_000);
  view.setUint32(20, 50_000);
  view.setUint32(29, crc32(bomb.subarray(12, 29))); // IHDR CRC stays valid
  files['huge-header-50000x50000.png'] = bomb;
}

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

let total = 0;
for (const [name, bytes] of Object.entries(files)) {
  await writeFile(join(out, name), bytes);
  total += bytes.length;
}
console.log(`wrote ${Object.keys(files).length} files, ${total} bytes, to ${out}`);
