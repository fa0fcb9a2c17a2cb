// Very large but valid images built in milliseconds, for the memory and bounded-work tests: the size is
// in the headers, the content is cheap to write. Real decoders (jpeg-js, ImageMagick) read them too.
import { Deflate, zlibSync } from 'fflate';
import { crc32 } from '../../shared/src/image/png/chunks.ts';
import { concatBytes } from './bytes.ts';

// Code lengths of T.81 Annex K's tables; symbols numbered in order, so symbol 0 (DC category 0, AC EOB) is "00".
const DC_COUNTS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_SYMBOLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_LUMA_COUNTS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
const AC_CHROMA_COUNTS = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];

function segment(marker: number, body: number[]): number[] {
  const length = body.length + 2;
  return [0xff, marker, length >> 8, length & 0xff, ...body];
}

function huffman(tableClass: number, id: number, counts: number[], symbolCount: number): number[] {
  // Only symbol 0 (EOB / DC category 0, code "00") is used; the rest keep the table a complete Annex K shape.
  const symbols = Array.from({ length: symbolCount }, (_, i) => i);
  return segment(0xc4, [(tableClass << 4) | id, ...counts, ...symbols]);
}

/**
 * A baseline 4:2:0 JPEG of width×height, every block flat mid-grey: 4 bits a block (DC "00", EOB "00"),
 * 3 zero bytes an MCU.
 */
export function flatJpeg(width: number, height: number): Uint8Array {
  const quant = segment(0xdb, [0, ...Array.from({ length: 64 }, () => 1)]);
  const frame = segment(0xc0, [
    8,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    3,
    1,
    0x22,
    0,
    2,
    0x11,
    0,
    3,
    0x11,
    0,
  ]);
  const tables = [
    ...huffman(0, 0, DC_COUNTS, DC_SYMBOLS.length),
    ...huffman(1, 0, AC_LUMA_COUNTS, 162),
    ...huffman(0, 1, DC_COUNTS, DC_SYMBOLS.length),
    ...huffman(1, 1, AC_CHROMA_COUNTS, 162),
  ];
  const scanHeader = segment(0xda, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]);
  const mcus = Math.ceil(width / 16) * Math.ceil(height / 16);
  const head = [0xff, 0xd8, ...quant, ...frame, ...tables, ...scanHeader];
  const out = new Uint8Array(head.length + mcus * 3 + 2);
  out.set(head);
  out.set([0xff, 0xd9], out.length - 2);
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out, 4, 8 + data.length));
  return out;
}

function ihdr(width: number, height: number, bitDepth: number, colorType: number): Uint8Array {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  data[8] = bitDepth;
  data[9] = colorType;
  return data;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function pngFromChunks(chunks: [string, Uint8Array][]): Uint8Array {
  return concatBytes(new Uint8Array(SIGNATURE), ...chunks.map(([type, data]) => chunk(type, data)));
}

/** A PNG whose scanlines are `row(y)` (filter byte included), deflated as a stream so no full image exists. */
export function streamedPng(
  width: number,
  height: number,
  bitDepth: number,
  colorType: number,
  row: (y: number) => Uint8Array,
  extra: [string, Uint8Array][] = [],
): Uint8Array {
  const pieces: Uint8Array[] = [];
  const deflate = new Deflate({ level: 1 }, (data) => pieces.push(data));
  for (let y = 0; y < height; y++) deflate.push(row(y), false);
  deflate.push(new Uint8Array(0), true);
  const raw = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    raw.set(p, at);
    at += p.length;
  }
  // zlib wrapper: CMF 0x78, FLG 0x01; the adler-32 is not checked by decoders that stop at the last row.
  const zlib = new Uint8Array(raw.length + 6);
  zlib.set([0x78, 0x01]);
  zlib.set(raw, 2);
  return pngFromChunks([
    ['IHDR', ihdr(width, height, bitDepth, colorType)],
    ...extra,
    ['IDAT', zlib],
    ['IEND', new Uint8Array(0)],
  ]);
}

/** A 1×1 gray PNG whose IDAT inflates to `inflatedBytes` (a deflate bomb). */
export function deflateBombPng(inflatedBytes: number): Uint8Array {
  return pngFromChunks([
    ['IHDR', ihdr(1, 1, 8, 0)],
    ['IDAT', zlibSync(new Uint8Array(inflatedBytes), { level: 9 })],
    ['IEND', new Uint8Array(0)],
  ]);
}

export { ihdr, zlibSync };

/**
 * A lossless (VP8L) WebP of width×height, 8×8 checks of two colours: a subtract-green transform, one-symbol
 * prefix codes for red, blue, alpha and distance, a two-symbol code for green — one bit a pixel.
 */
export function stripedLosslessWebp(width: number, height: number): Uint8Array {
  const bytes: number[] = [];
  let acc = 0;
  let n = 0;
  const put = (value: number, count: number): void => {
    for (let i = 0; i < count; i++) {
      acc |= ((value >>> i) & 1) << n;
      if (++n === 8) (bytes.push(acc), (acc = 0), (n = 0));
    }
  };
  const oneSymbol = (symbol: number): void => (put(1, 1), put(0, 1), put(1, 1), put(symbol, 8));
  (put(0x2f, 8), put(width - 1, 14), put(height - 1, 14), put(0, 1), put(0, 3));
  (put(1, 1), put(2, 2), put(0, 1)); // subtract-green, then no more transforms
  (put(0, 1), put(0, 1)); // no colour cache, no meta prefix codes
  (put(1, 1), put(1, 1), put(1, 1), put(40, 8), put(200, 8)); // green: 40 ("0") or 200 ("1")
  (oneSymbol(90), oneSymbol(10), oneSymbol(255), oneSymbol(0)); // red, blue, alpha, distance
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) put(((x >> 3) ^ (y >> 3)) & 1, 1);
  if (n > 0) bytes.push(acc);
  const size = bytes.length;
  const header = [0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x4c];
  const out = new Uint8Array(20 + size + (size & 1));
  out.set(header);
  const view = new DataView(out.buffer);
  view.setUint32(4, out.length - 8, true);
  view.setUint32(16, size, true);
  out.set(bytes, 20);
  return out;
}
