// A bounded raw-deflate (RFC 1951) inflater for PNG image data. The compressed stream is read straight from
// the IDAT chunks' bytes (no copy, no slicing), output goes through one buffer the inflater owns (a 32 KB
// window + one piece), handed to `onPiece` whenever a piece fills. The output limit is checked inside the
// decoding loop, so a deflate bomb costs at most the limit plus one piece of work, whatever its ratio.
import { ImageError } from '../errors.ts';

const WINDOW = 32 * 1024;
const PIECE = 64 * 1024;
const MAX_MATCH = 258;
const OUT_SIZE = WINDOW + PIECE + MAX_MATCH;

// Lookahead widths of the first-level tables; longer codes go through a second-level table.
const LIT_ROOT = 10;
const DIST_ROOT = 8;
// A table entry: bits 0–3 code length (0 = no such code), bit 4 "second-level link", bits 5+ symbol or offset.
const LINK = 16;
// Largest tables: the first level plus one second-level table per long code (at most 2^(15 − root) entries).
const LIT_TABLE_SIZE = (1 << LIT_ROOT) + 288 * (1 << (15 - LIT_ROOT));
const DIST_TABLE_SIZE = (1 << DIST_ROOT) + 32 * (1 << (15 - DIST_ROOT));
// Code-length code lengths (19), then up to 286 literal/length and 32 distance code lengths.
const LENGTHS_SIZE = 19 + 288 + 32;

/** Bytes the inflater holds while it runs: its output buffer, its code tables and code-length scratch. */
export const INFLATER_BYTES = OUT_SIZE + 4 * (LIT_TABLE_SIZE + DIST_TABLE_SIZE) + LENGTHS_SIZE + 4 * (1 << 7) + 3 * 2 * 2 * 16;

const LENGTH_BASE = new Uint16Array([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
]);
const LENGTH_EXTRA = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]);
const DIST_BASE = new Uint16Array([
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
  8193, 12289, 16385, 24577,
]);
const DIST_EXTRA = new Uint8Array([
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
]);
// The order code-length code lengths arrive in (RFC 1951 §3.2.7).
const CLEN_ORDER = new Uint8Array([16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]);

/** The caller's view of the output: pieces in order, and what passing the limit means to it. */
export interface InflateSink {
  /** Receives output in order; the array is reused after the call returns. */
  onPiece(piece: Uint8Array): void;
  /** The error to throw when the output would pass `limit`. */
  overLimit(): ImageError;
}

export interface InflateResult {
  /** Bytes of output produced. */
  produced: number;
  /** Whether the final block ended; false when the compressed data ran out first. */
  complete: boolean;
}

function corrupt(why: string): ImageError {
  return new ImageError('corrupt_image', `PNG image data could not be inflated: ${why}`);
}

/** Canonical Huffman code lengths → a two-level lookup table (RFC 1951 §3.2.2). Incomplete codes are allowed;
 * reaching a missing code while decoding is the error. */
class HuffmanTable {
  readonly table: Int32Array;
  private readonly count = new Uint16Array(16);
  private readonly next = new Uint16Array(16);

  constructor(
    readonly root: number,
    size: number,
  ) {
    this.table = new Int32Array(size);
  }

  build(lengths: Uint8Array, n: number, what: string): void {
    const { count, next, table, root } = this;
    count.fill(0);
    for (let i = 0; i < n; i++) count[lengths[i]!]!++;
    count[0] = 0;
    let maxLength = 0;
    let left = 1;
    for (let len = 1; len <= 15; len++) {
      left = (left << 1) - count[len]!;
      if (left < 0) throw corrupt(`over-subscribed ${what} code`);
      if (count[len]! > 0) maxLength = len;
    }
    const rootSize = 1 << root;
    const subBits = Math.max(0, maxLength - root);
    const subSize = 1 << subBits;
    let code = 0;
    for (let len = 1; len <= 15; len++) {
      code = (code + count[len - 1]!) << 1;
      next[len] = code;
    }
    table.fill(0, 0, rootSize);
    let subEnd = rootSize;
    for (let sym = 0; sym < n; sym++) {
      const len = lengths[sym]!;
      if (len === 0) continue;
      const reversed = reverseBits(next[len]!++, len);
      const entry = (sym << 5) | len;
      if (len <= root) {
        for (let at = reversed; at < rootSize; at += 1 << len) table[at] = entry;
        continue;
      }
      const head = reversed & (rootSize - 1);
      let link = table[head]!;
      if ((link & LINK) === 0) {
        link = (subEnd << 5) | LINK | subBits;
        table[head] = link;
        table.fill(0, subEnd, subEnd + subSize);
        subEnd += subSize;
      }
      const base = link >>> 5;
      for (let at = reversed >>> root; at < subSize; at += 1 << (len - root)) table[base + at] = entry;
    }
  }
}

function reverseBits(code: number, length: number): number {
  let reversed = 0;
  for (let i = 0; i < length; i++) {
    reversed = (reversed << 1) | (code & 1);
    code >>>= 1;
  }
  return reversed;
}

/**
 * Inflates the raw deflate stream spread over `segments` (in order), calling `sink.onPiece` with at most
 * 64 KB at a time, and throwing `sink.overLimit()` as soon as the output would pass `limit` bytes.
 */
export function inflateBounded(segments: readonly Uint8Array[], limit: number, sink: InflateSink): InflateResult {
  const out = new Uint8Array(OUT_SIZE);
  const lit = new HuffmanTable(LIT_ROOT, LIT_TABLE_SIZE);
  const dist = new HuffmanTable(DIST_ROOT, DIST_TABLE_SIZE);
  const lengths = new Uint8Array(LENGTHS_SIZE);
  const clen = new HuffmanTable(7, 1 << 7);

  let seg = 0;
  let src: Uint8Array = segments[0] ?? new Uint8Array(0);
  let pos = 0;
  let end = src.length;
  // Bits not yet consumed, least significant first; `missing` counts the zero bits fed past the end of the data.
  let bits = 0;
  let bitCount = 0;
  let missing = 0;

  let op = 0; // next write position in `out`
  let pieceStart = 0; // first byte of `out` not yet handed to the sink
  let flushed = 0; // bytes handed to the sink so far
  // `out` is flushed once `op` passes `flushAt`: a piece is full, or the output has passed the limit.
  let flushAt = Math.min(OUT_SIZE - MAX_MATCH, limit);

  const refill = (): void => {
    while (bitCount <= 24) {
      if (pos < end) {
        bits |= src[pos++]! << bitCount;
        bitCount += 8;
      } else if (seg + 1 < segments.length) {
        src = segments[++seg]!;
        pos = 0;
        end = src.length;
      } else {
        missing += 8;
        bitCount += 8;
      }
    }
  };
  const take = (n: number): number => {
    if (bitCount < n) refill();
    const value = bits & ((1 << n) - 1);
    bits >>>= n;
    bitCount -= n;
    return value;
  };
  const flush = (): void => {
    const total = flushed + op - pieceStart;
    if (total > limit) throw sink.overLimit();
    if (op > pieceStart) sink.onPiece(out.subarray(pieceStart, op));
    flushed = total;
    if (op > WINDOW + PIECE - MAX_MATCH) {
      out.copyWithin(0, op - WINDOW, op);
      op = WINDOW;
    }
    pieceStart = op;
    flushAt = Math.min(OUT_SIZE - MAX_MATCH, op + limit - flushed);
  };
  const truncated = (): boolean => bitCount < missing;

  let final = 0;
  while (!final) {
    final = take(1);
    const type = take(2);
    if (truncated()) return done(false);
    if (type === 0) {
      // Stored: skip to a byte boundary, LEN and NLEN, then LEN raw bytes.
      take(bitCount & 7);
      const len = take(16);
      const nlen = take(16);
      if (truncated()) return done(false);
      if ((len ^ 0xffff) !== nlen) throw corrupt('a stored block’s length check fails');
      for (let i = 0; i < len; i++) {
        if (bitCount === 0) refill();
        out[op++] = bits & 0xff;
        bits >>>= 8;
        bitCount -= 8;
        if (truncated()) return done(false);
        if (op > flushAt) flush();
      }
      continue;
    }
    if (type === 3) throw corrupt('block type 3 is reserved');
    if (type === 1) fixedCodes(lit, dist, lengths);
    else {
      const nlit = take(5) + 257;
      const ndist = take(5) + 1;
      const nclen = take(4) + 4;
      if (nlit > 286 || ndist > 30) throw corrupt(`${nlit} literal/length or ${ndist} distance codes`);
      lengths.fill(0, 0, 19);
      for (let i = 0; i < nclen; i++) lengths[CLEN_ORDER[i]!] = take(3);
      if (truncated()) return done(false);
      clen.build(lengths, 19, 'code-length');
      const all = lengths.subarray(19, 19 + nlit + ndist);
      for (let i = 0; i < all.length; ) {
        if (bitCount < 7) refill();
        const e = clen.table[bits & 127]!;
        const len = e & 15;
        if (len === 0) throw corrupt('a code-length code that is not in its code');
        bits >>>= len;
        bitCount -= len;
        const sym = e >>> 5;
        if (sym < 16) {
          all[i++] = sym;
          continue;
        }
        let repeat: number;
        let value = 0;
        if (sym === 16) {
          if (i === 0) throw corrupt('a code length repeats with nothing before it');
          value = all[i - 1]!;
          repeat = 3 + take(2);
        } else repeat = sym === 17 ? 3 + take(3) : 11 + take(7);
        if (i + repeat > all.length) throw corrupt('code lengths run past the codes they describe');
        all.fill(value, i, i + repeat);
        i += repeat;
      }
      if (truncated()) return done(false);
      if (all[256] === 0) throw corrupt('the block has no end-of-block code');
      lit.build(all, nlit, 'literal/length');
      dist.build(all.subarray(nlit), ndist, 'distance');
    }

    // The hot loop: one table look-up per symbol, a second only for codes longer than the root width.
    const lt = lit.table;
    const dt = dist.table;
    for (;;) {
      if (bitCount < 15) refill();
      let e = lt[bits & ((1 << LIT_ROOT) - 1)]!;
      if (e & LINK) e = lt[(e >>> 5) + ((bits >>> LIT_ROOT) & ((1 << (e & 15)) - 1))]!;
      let len = e & 15;
      if (len === 0) throw corrupt('a literal/length code that is not in its code');
      bits >>>= len;
      bitCount -= len;
      if (bitCount < missing) return done(false); // the code was read from past the end of the data
      const sym = e >>> 5;
      if (sym < 256) {
        out[op++] = sym;
        if (op > flushAt) flush();
        continue;
      }
      if (sym === 256) break;
      if (sym > 285) throw corrupt(`literal/length symbol ${sym}`);
      if (bitCount < 20) refill();
      const li = sym - 257;
      const lx = LENGTH_EXTRA[li]!;
      len = LENGTH_BASE[li]! + (bits & ((1 << lx) - 1));
      bits >>>= lx;
      bitCount -= lx;
      let d = dt[bits & ((1 << DIST_ROOT) - 1)]!;
      if (d & LINK) d = dt[(d >>> 5) + ((bits >>> DIST_ROOT) & ((1 << (d & 15)) - 1))]!;
      const dl = d & 15;
      if (dl === 0) throw corrupt('a distance code that is not in its code');
      bits >>>= dl;
      bitCount -= dl;
      const ds = d >>> 5;
      if (ds > 29) throw corrupt(`distance symbol ${ds}`);
      const dx = DIST_EXTRA[ds]!;
      if (bitCount < dx) refill();
      const distance = DIST_BASE[ds]! + (bits & ((1 << dx) - 1));
      bits >>>= dx;
      bitCount -= dx;
      if (truncated()) return done(false);
      if (distance > op) throw corrupt(`a match reaches ${distance} bytes back, before the start of the data`);
      let from = op - distance;
      if (distance >= len) {
        out.copyWithin(op, from, from + len);
        op += len;
      } else {
        for (const stop = op + len; op < stop; ) out[op++] = out[from++]!;
      }
      if (op > flushAt) flush();
    }
    if (truncated()) return done(false);
  }
  return done(true);

  function done(complete: boolean): InflateResult {
    flush();
    return { produced: flushed, complete };
  }
}

function fixedCodes(lit: HuffmanTable, dist: HuffmanTable, lengths: Uint8Array): void {
  lengths.fill(8, 0, 144);
  lengths.fill(9, 144, 256);
  lengths.fill(7, 256, 280);
  lengths.fill(8, 280, 288);
  lit.build(lengths, 288, 'literal/length');
  lengths.fill(5, 0, 30);
  dist.build(lengths, 30, 'distance');
}
