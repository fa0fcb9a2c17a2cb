// Canonical Huffman tables (ITU T.81 Annex C) with a 9-bit lookahead table: most symbols in photos have
// codes of 9 bits or fewer and resolve with one table read; longer ones fall back to the per-length
// maxcode walk of Figure F.16.
import { ImageError } from '../errors.ts';

export const LOOKAHEAD_BITS = 9;

export interface HuffmanTable {
  /** (code length << 8) | symbol for every 9-bit prefix whose code is ≤ 9 bits long; 0 otherwise. */
  lookahead: Uint16Array;
  /** Largest code of each length 1..16 (−1 when there is none). */
  maxCode: Int32Array;
  /** Index into `symbols` of the first code of each length, minus that code. */
  offset: Int32Array;
  symbols: Uint8Array;
}

export function buildHuffmanTable(counts: Uint8Array, symbols: Uint8Array): HuffmanTable {
  const lookahead = new Uint16Array(1 << LOOKAHEAD_BITS);
  const maxCode = new Int32Array(18).fill(-1);
  const offset = new Int32Array(18);
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    const n = counts[length - 1]!;
    offset[length] = k - code;
    for (let i = 0; i < n; i++, k++, code++) {
      if (length <= LOOKAHEAD_BITS) {
        const shift = LOOKAHEAD_BITS - length;
        const entry = (length << 8) | symbols[k]!;
        for (let fill = 0; fill < 1 << shift; fill++) lookahead[(code << shift) | fill] = entry;
      }
    }
    if (n > 0) maxCode[length] = code - 1;
    if (code > 1 << length) throw new ImageError('corrupt_image', 'JPEG Huffman table has more codes than fit');
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff; // sentinel: no code is longer than 16 bits
  return { lookahead, maxCode, offset, symbols };
}

/**
 * For AC tables: each 9-bit prefix whose code and magnitude bits both fit resolves to the coefficient in
 * one read, packed as value · 2¹⁶ + run · 2⁸ + bits used (libjpeg-turbo's "fast AC" idea); 0 otherwise.
 */
export function fastAcTable(table: HuffmanTable): Int32Array {
  const fast = new Int32Array(1 << LOOKAHEAD_BITS);
  for (let prefix = 0; prefix < 1 << LOOKAHEAD_BITS; prefix++) {
    const entry = table.lookahead[prefix]!;
    if (entry === 0) continue;
    const length = entry >> 8;
    const rs = entry & 0xff;
    const run = rs >> 4;
    const size = rs & 15;
    if (size === 0 || length + size > LOOKAHEAD_BITS) continue;
    const bits = (prefix >> (LOOKAHEAD_BITS - length - size)) & ((1 << size) - 1);
    const value = bits < 1 << (size - 1) ? bits - (1 << size) + 1 : bits;
    fast[prefix] = value * 65536 + run * 256 + length + size;
  }
  return fast;
}
