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
  /** Codes of each length 1..16 (BITS of the DHT segment). */
  counts: Uint8Array;
  /** fastAcTable's result, once built. */
  fastAc?: Int32Array;
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
  return { lookahead, maxCode, offset, symbols: symbols.slice(), counts: counts.slice() };
}

/** Bits the fast AC table is indexed by: code and magnitude bits of most coefficients in photos fit in 11. */
export const FAST_AC_BITS = 11;
/** The run field of the fast AC entry for end-of-block (real runs are 0..15). */
export const FAST_AC_EOB = 128;

/**
 * For AC tables: each 11-bit prefix whose code and magnitude bits both fit resolves to the coefficient in
 * one read, packed as value · 2¹⁶ + run · 2⁸ + bits used (libjpeg-turbo's "fast AC" idea), and an
 * end-of-block code to run FAST_AC_EOB; 0 otherwise (sixteen zeros, or too long: the caller decodes the
 * symbol). Built once per table and kept on it, so a file that runs many scans over one table pays once.
 */
export function fastAcTable(table: HuffmanTable): Int32Array {
  if (table.fastAc) return table.fastAc;
  const fast = new Int32Array(1 << FAST_AC_BITS);
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16 && length < FAST_AC_BITS; length++) {
    for (let i = 0; i < table.counts[length - 1]!; i++, k++, code++) {
      const rs = table.symbols[k]!;
      const run = rs >> 4;
      const size = rs & 15;
      const used = length + size;
      if (rs === 0) {
        // End of block: a run of FAST_AC_EOB that no real run reaches, so the caller's "past 63" check catches it.
        const free = FAST_AC_BITS - length;
        for (let rest = 0; rest < 1 << free; rest++) fast[(code << free) | rest] = FAST_AC_EOB * 256 + length;
        continue;
      }
      if (size === 0 || used > FAST_AC_BITS) continue;
      // Every prefix starting with this code: its next `size` bits are the magnitude, the rest belong to later codes.
      const free = FAST_AC_BITS - used;
      for (let bits = 0; bits < 1 << size; bits++) {
        const value = bits < 1 << (size - 1) ? bits - (1 << size) + 1 : bits;
        const packed = value * 65536 + run * 256 + used;
        const first = ((code << size) | bits) << free;
        for (let rest = 0; rest < 1 << free; rest++) fast[first | rest] = packed;
      }
    }
    code <<= 1;
  }
  table.fastAc = fast;
  return fast;
}
