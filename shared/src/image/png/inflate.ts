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
export const INFLATER_BYTES =
  OUT_SIZE + 4 * (LIT_TABLE_SIZE + DIST_TABLE_SIZE) + LENGTHS_SIZE + 4 * (1 << 7) + 3 * 2 * 2 * 16;

const LENGTH_BASE = new Uint16Array([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
]);
const LENGTH_EXTRA = new Uint8Array([
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
]);
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

export function corrupt(why: string): ImageError {
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
  return new Inflater(segments, limit, sink).run();
}

/** The inflater's state lives in fields; the hot loop (`codes`) copies what it needs into locals. */
class Inflater {
  private readonly out = new Uint8Array(OUT_SIZE);
  private readonly lit = new HuffmanTable(LIT_ROOT, LIT_TABLE_SIZE);
  private readonly dist = new HuffmanTable(DIST_ROOT, DIST_TABLE_SIZE);
  private readonly clen = new HuffmanTable(7, 1 << 7);
  private readonly lengths = new Uint8Array(LENGTHS_SIZE);

  private seg = 0;
  private src: Uint8Array;
  private pos = 0;
  private end: number;
  // Bits not yet consumed, least significant first; `missing` counts the zero bits fed past the end of the data,
  // so the data ran out once fewer bits remain than were made up (`bitCount < missing`).
  private bits = 0;
  private bitCount = 0;
  private missing = 0;

  private op = 0; // next write position in `out`
  private pieceStart = 0; // first byte of `out` not yet handed to the sink
  private flushed = 0; // bytes handed to the sink so far
  // `out` is flushed once `op` passes `flushAt`: a piece is full, or the output has passed the limit.
  private flushAt: number;

  constructor(
    private readonly segments: readonly Uint8Array[],
    private readonly limit: number,
    private readonly sink: InflateSink,
  ) {
    this.src = segments[0] ?? new Uint8Array(0);
    this.end = this.src.length;
    this.flushAt = Math.min(PIECE, limit);
  }

  run(): InflateResult {
    let final = 0;
    while (!final) {
      final = this.take(1);
      const type = this.take(2);
      if (this.truncated()) return this.done(false);
      if (type === 0) {
        if (!this.stored()) return this.done(false);
        continue;
      }
      if (type === 3) throw corrupt('block type 3 is reserved');
      if (type === 1) fixedCodes(this.lit, this.dist, this.lengths);
      else if (!this.dynamicCodes()) return this.done(false);
      if (!this.codes()) return this.done(false);
    }
    return this.done(true);
  }

  private refill(): void {
    while (this.bitCount <= 16) {
      if (this.pos < this.end) {
        this.bits |= this.src[this.pos++]! << this.bitCount;
        this.bitCount += 8;
      } else if (this.seg + 1 < this.segments.length) {
        this.src = this.segments[++this.seg]!;
        this.pos = 0;
        this.end = this.src.length;
      } else {
        this.missing += 8;
        this.bitCount += 8;
      }
    }
  }

  private take(n: number): number {
    if (this.bitCount < n) this.refill();
    const value = this.bits & ((1 << n) - 1);
    this.bits >>= n;
    this.bitCount -= n;
    return value;
  }

  private truncated(): boolean {
    return this.bitCount < this.missing;
  }

  private flush(): void {
    const total = this.flushed + this.op - this.pieceStart;
    if (total > this.limit) throw this.sink.overLimit();
    if (this.op > this.pieceStart) this.sink.onPiece(this.out.subarray(this.pieceStart, this.op));
    this.flushed = total;
    // Keep the last 32 KB at the start, so the next piece (≤ PIECE + one match) fits after it.
    if (this.op > WINDOW) {
      this.out.copyWithin(0, this.op - WINDOW, this.op);
      this.op = WINDOW;
    }
    this.pieceStart = this.op;
    this.flushAt = Math.min(this.op + PIECE, this.op + this.limit - this.flushed);
  }

  private done(complete: boolean): InflateResult {
    this.flush();
    return { produced: this.flushed, complete };
  }

  /** A stored block: skip to a byte boundary, LEN and NLEN, then LEN raw bytes. False when the data runs out. */
  private stored(): boolean {
    this.take(this.bitCount & 7);
    const len = this.take(16);
    const nlen = this.take(16);
    if (this.truncated()) return false;
    if ((len ^ 0xffff) !== nlen) throw corrupt('a stored block’s length check fails');
    for (let i = 0; i < len; i++) {
      const byte = this.take(8);
      if (this.truncated()) return false;
      this.out[this.op++] = byte;
      if (this.op > this.flushAt) this.flush();
    }
    return true;
  }

  /** A dynamic block's code lengths (RFC 1951 §3.2.7) → the two tables. False when the data runs out. */
  private dynamicCodes(): boolean {
    const { lengths, clen } = this;
    const nlit = this.take(5) + 257;
    const ndist = this.take(5) + 1;
    const nclen = this.take(4) + 4;
    if (nlit > 286 || ndist > 30) throw corrupt(`${nlit} literal/length or ${ndist} distance codes`);
    lengths.fill(0, 0, 19);
    for (let i = 0; i < nclen; i++) lengths[CLEN_ORDER[i]!] = this.take(3);
    if (this.truncated()) return false;
    clen.build(lengths, 19, 'code-length');
    const all = lengths.subarray(19, 19 + nlit + ndist);
    for (let i = 0; i < all.length;) {
      if (this.bitCount < 7) this.refill();
      const e = clen.table[this.bits & 127]!;
      const len = e & 15;
      if (len === 0) throw corrupt('a code-length code that is not in its code');
      this.bits >>= len;
      this.bitCount -= len;
      const sym = e >> 5;
      if (sym < 16) {
        all[i++] = sym;
        continue;
      }
      let repeat: number;
      let value = 0;
      if (sym === 16) {
        if (i === 0) throw corrupt('a code length repeats with nothing before it');
        value = all[i - 1]!;
        repeat = 3 + this.take(2);
      } else repeat = sym === 17 ? 3 + this.take(3) : 11 + this.take(7);
      if (i + repeat > all.length) throw corrupt('code lengths run past the codes they describe');
      all.fill(value, i, i + repeat);
      i += repeat;
    }
    if (this.truncated()) return false;
    if (all[256] === 0) throw corrupt('the block has no end-of-block code');
    this.lit.build(all, nlit, 'literal/length');
    this.dist.build(all.subarray(nlit), ndist, 'distance');
    return true;
  }

  /**
   * The hot loop: a block's symbols up to its end-of-block code. The bit buffer, input cursor and output
   * position live in locals; they are written back before anything that uses the fields (refill across a
   * segment's end, flush). False when the data runs out.
   */
  private codes(): boolean {
    const { out } = this;
    const lt = this.lit.table;
    const dt = this.dist.table;
    let { bits, bitCount, pos, end, src, op, flushAt, missing } = this;
    for (;;) {
      // The buffer holds at most 24 bits: it stays a small non-negative integer (`>>` and `|` keep it int32,
      // where `>>>` would make it uint32 and the loop's bit buffer a double), so refill before every code.
      if (bitCount < 15) {
        if (pos + 3 <= end) {
          while (bitCount <= 16) {
            bits |= src[pos++]! << bitCount;
            bitCount += 8;
          }
        } else {
          this.bits = bits;
          this.bitCount = bitCount;
          this.pos = pos;
          this.refill();
          ({ bits, bitCount, pos, end, src, missing } = this);
        }
      }
      let e = lt[bits & ((1 << LIT_ROOT) - 1)]!;
      if (e & LINK) e = lt[(e >> 5) + ((bits >> LIT_ROOT) & ((1 << (e & 15)) - 1))]!;
      let len = e & 15;
      bits >>= len;
      bitCount -= len;
      if (bitCount < missing) {
        // the code was read from past the end of the data
        this.bits = bits;
        this.bitCount = bitCount;
        this.pos = pos;
        this.op = op;
        return false;
      }
      if (len === 0) throw corrupt('a literal/length code that is not in its code');
      const sym = e >> 5;
      if (sym < 256) {
        out[op++] = sym;
        if (op > flushAt) {
          this.bits = bits;
          this.bitCount = bitCount;
          this.pos = pos;
          this.op = op;
          this.flush();
          ({ op, flushAt } = this);
        }
        continue;
      }
      if (sym === 256) break;
      if (sym > 285) throw corrupt(`literal/length symbol ${sym}`);
      const li = sym - 257;
      const lx = LENGTH_EXTRA[li]!;
      if (bitCount < lx) {
        if (pos + 3 <= end) {
          while (bitCount <= 16) {
            bits |= src[pos++]! << bitCount;
            bitCount += 8;
          }
        } else {
          this.bits = bits;
          this.bitCount = bitCount;
          this.pos = pos;
          this.refill();
          ({ bits, bitCount, pos, end, src, missing } = this);
        }
      }
      len = LENGTH_BASE[li]! + (bits & ((1 << lx) - 1));
      bits >>= lx;
      bitCount -= lx;
      if (bitCount < 15) {
        if (pos + 3 <= end) {
          while (bitCount <= 16) {
            bits |= src[pos++]! << bitCount;
            bitCount += 8;
          }
        } else {
          this.bits = bits;
          this.bitCount = bitCount;
          this.pos = pos;
          this.refill();
          ({ bits, bitCount, pos, end, src, missing } = this);
        }
      }
      let d = dt[bits & ((1 << DIST_ROOT) - 1)]!;
      if (d & LINK) d = dt[(d >> 5) + ((bits >> DIST_ROOT) & ((1 << (d & 15)) - 1))]!;
      const dl = d & 15;
      bits >>= dl;
      bitCount -= dl;
      if (bitCount < missing) {
        this.bits = bits;
        this.bitCount = bitCount;
        this.pos = pos;
        this.op = op;
        return false;
      }
      if (dl === 0) throw corrupt('a distance code that is not in its code');
      const ds = d >> 5;
      if (ds > 29) throw corrupt(`distance symbol ${ds}`);
      const dx = DIST_EXTRA[ds]!;
      if (bitCount < dx) {
        if (pos + 3 <= end) {
          while (bitCount <= 16) {
            bits |= src[pos++]! << bitCount;
            bitCount += 8;
          }
        } else {
          this.bits = bits;
          this.bitCount = bitCount;
          this.pos = pos;
          this.refill();
          ({ bits, bitCount, pos, end, src, missing } = this);
        }
      }
      const distance = DIST_BASE[ds]! + (bits & ((1 << dx) - 1));
      bits >>= dx;
      bitCount -= dx;
      if (bitCount < missing) {
        this.bits = bits;
        this.bitCount = bitCount;
        this.pos = pos;
        this.op = op;
        return false;
      }
      if (distance > op) throw corrupt(`a match reaches ${distance} bytes back, before the start of the data`);
      let from = op - distance;
      // copyWithin is a builtin call: worth it only for long matches; photos' are mostly a few bytes.
      if (len >= 64 && distance >= len) {
        out.copyWithin(op, from, from + len);
        op += len;
      } else {
        for (const stop = op + len; op < stop;) out[op++] = out[from++]!;
      }
      if (op > flushAt) {
        this.bits = bits;
        this.bitCount = bitCount;
        this.pos = pos;
        this.op = op;
        this.flush();
        ({ op, flushAt } = this);
      }
    }
    this.bits = bits;
    this.bitCount = bitCount;
    this.pos = pos;
    this.op = op;
    return true;
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
