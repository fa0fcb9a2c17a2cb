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
  /** fastAcTable's and skipAcTable's results, once built. */
  fastAc?: Int32Array;
  skipAc?: Int32Array;
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

/** Bits the skip table is indexed by. */
export const SKIP_AC_BITS = 12;
/** Flag of a skip entry whose run ends with the end-of-block code. */
export const SKIP_AC_EOB = 1 << 16;

/** The symbol whose code starts `at` bits into a `width`-bit `window`: (length << 8) | symbol, −1 if none fits. */
function symbolAt(table: HuffmanTable, window: number, width: number, at: number): number {
  // Codes of up to LOOKAHEAD_BITS: one read of the lookahead table (the missing low bits read as zeros, so an
  // entry counts only when its code fits in what is left); longer codes walk the lengths.
  const left = width - at;
  const bits = window & ((1 << left) - 1);
  const peek = left >= LOOKAHEAD_BITS ? bits >>> (left - LOOKAHEAD_BITS) : bits << (LOOKAHEAD_BITS - left);
  const entry = table.lookahead[peek]!;
  if (entry !== 0) return entry >> 8 <= left ? entry : -1;
  for (let length = LOOKAHEAD_BITS + 1; length <= 16 && at + length <= width; length++) {
    const code = (window >>> (width - at - length)) & ((1 << length) - 1);
    if (code <= table.maxCode[length]!) return (length << 8) | table.symbols[table.offset[length]! + code]!;
  }
  return -1;
}

/**
 * For AC coefficients that are decoded only to advance the stream (past the store's `perBlock`, e.g. every AC
 * at 1/8): each 12-bit prefix maps to the run of whole coefficients (code and magnitude bits) it holds, packed as
 * positions · 2⁸ + bits used, with SKIP_AC_EOB set (and the end-of-block counted as one more position) when the run
 * ends with end-of-block. Sixteen-zero codes and codes that do not fit end a run; 0 when no coefficient fits.
 * The caller takes an entry only when k + positions ≤ 64, so every coefficient lands at index ≤ 63 as the
 * one-at-a-time decoder requires, and end-of-block is consumed only where that decoder would read it.
 */
export function skipAcTable(table: HuffmanTable): Int32Array {
  if (table.skipAc) return table.skipAc;
  const skip = new Int32Array(1 << SKIP_AC_BITS);
  for (let prefix = 0; prefix < 1 << SKIP_AC_BITS; prefix++) {
    let used = 0;
    let positions = 0;
    let eob = 0;
    for (;;) {
      const entry = symbolAt(table, prefix, SKIP_AC_BITS, used);
      if (entry < 0) break;
      const rs = entry & 0xff;
      const size = rs & 15;
      if (rs === 0) {
        used += entry >> 8;
        positions++;
        eob = SKIP_AC_EOB;
        break;
      }
      if (size === 0 || used + (entry >> 8) + size > SKIP_AC_BITS) break;
      used += (entry >> 8) + size;
      positions += (rs >> 4) + 1;
    }
    skip[prefix] = used === 0 ? 0 : eob | (positions << 8) | used;
  }
  table.skipAc = skip;
  return skip;
}
