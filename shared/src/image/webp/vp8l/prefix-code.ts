// Canonical prefix codes of VP8L (RFC 9649 §3.7.2): reading the code lengths (simple or normal coding, with
// the repeat codes 16/17/18) and a two-level lookup table for decoding. A code must be complete (Kraft sum
// exactly 1) unless it has a single symbol, which then takes zero bits; anything else is refused.
import { ImageError } from '../../errors.ts';
import type { LosslessBitReader } from './bit-reader.ts';

const ROOT_BITS = 8;
const MAX_LENGTH = 15;
const CODE_LENGTH_ORDER = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

function corrupt(message: string): ImageError {
  return new ImageError('corrupt_image', `WebP lossless data is corrupt: ${message}`);
}

/**
 * Entries pack `symbol << 4 | length` for codes of ≤ ROOT_BITS bits. A root entry of a longer code points at
 * a second-level table: `offset << 4 | (extraBits + ROOT_BITS)` with bit 20 set as the marker.
 */
export class PrefixCode {
  private constructor(
    private readonly table: Uint32Array,
    private readonly rootBits: number,
    /** Set when the code has one symbol: it is read without consuming bits. */
    private readonly only: number,
  ) {}

  get bytes(): number {
    return this.table.byteLength;
  }

  /** The one symbol a single-symbol code always yields, or −1. */
  get single(): number {
    return this.only;
  }

  static fromLengths(lengths: Uint8Array | number[], size: number): PrefixCode {
    const counts = new Int32Array(MAX_LENGTH + 1);
    let used = 0;
    let last = 0;
    for (let s = 0; s < size; s++) {
      const len = lengths[s]!;
      if (len > 0) {
        counts[len]!++;
        used++;
        last = s;
      }
    }
    if (used === 0) throw corrupt('a prefix code has no symbols');
    if (used === 1) return new PrefixCode(new Uint32Array(1).fill(last << 4), 0, last);
    let left = 1;
    let maxLen = 0;
    for (let len = 1; len <= MAX_LENGTH; len++) {
      left = left * 2 - counts[len]!;
      if (left < 0) throw corrupt('a prefix code is over-subscribed');
      if (counts[len]! > 0) maxLen = len;
    }
    if (left !== 0) throw corrupt('a prefix code is incomplete');
    // Canonical codes: first code of each length, then symbols in order.
    const next = new Int32Array(MAX_LENGTH + 2);
    for (let len = 1, code = 0; len <= MAX_LENGTH; len++) {
      code = (code + counts[len - 1]!) << 1;
      next[len] = code;
    }
    const rootBits = Math.min(ROOT_BITS, maxLen);
    // Size the second-level tables: for each root prefix of a long code, the longest code below it.
    const sub = new Int32Array(1 << rootBits);
    const codes = new Int32Array(size);
    const assign = next.slice();
    for (let s = 0; s < size; s++) {
      const len = lengths[s]!;
      if (len === 0) continue;
      const code = reverse(assign[len]!++, len);
      codes[s] = code;
      if (len > rootBits) {
        const root = code & ((1 << rootBits) - 1);
        sub[root] = Math.max(sub[root]!, len - rootBits);
      }
    }
    let total = 1 << rootBits;
    const offsets = new Int32Array(1 << rootBits);
    for (let r = 0; r < sub.length; r++) {
      if (sub[r]! > 0) {
        offsets[r] = total;
        total += 1 << sub[r]!;
      }
    }
    const table = new Uint32Array(total);
    for (let r = 0; r < sub.length; r++) {
      if (sub[r]! > 0) table[r] = (1 << 20) | (offsets[r]! << 4) | sub[r]!;
    }
    for (let s = 0; s < size; s++) {
      const len = lengths[s]!;
      if (len === 0) continue;
      const code = codes[s]!;
      if (len <= rootBits) {
        for (let i = code; i < 1 << rootBits; i += 1 << len) table[i] = (s << 4) | len;
      } else {
        const root = code & ((1 << rootBits) - 1);
        const extra = sub[root]!;
        const base = offsets[root]!;
        const high = code >>> rootBits;
        const subLen = len - rootBits;
        for (let i = high; i < 1 << extra; i += 1 << subLen) table[base + i] = (s << 4) | subLen;
      }
    }
    return new PrefixCode(table, rootBits, -1);
  }

  read(br: LosslessBitReader): number {
    if (this.only >= 0) return this.only;
    const bits = br.peek16();
    const entry = this.table[bits & ((1 << this.rootBits) - 1)]!;
    if (entry & (1 << 20)) {
      const extra = entry & 15;
      const offset = (entry >>> 4) & 0xffff;
      const second = this.table[offset + ((bits >>> this.rootBits) & ((1 << extra) - 1))]!;
      br.skip(this.rootBits + (second & 15));
      return second >>> 4;
    }
    br.skip(entry & 15);
    return entry >>> 4;
  }
}

function reverse(code: number, len: number): number {
  let out = 0;
  for (let i = 0; i < len; i++) {
    out = (out << 1) | (code & 1);
    code >>= 1;
  }
  return out;
}

/** Reads one prefix code over `alphabet` symbols from the stream (§3.7.2.1). */
export function readPrefixCode(br: LosslessBitReader, alphabet: number): PrefixCode {
  const lengths = new Uint8Array(alphabet);
  if (br.read(1)) {
    const symbols = br.read(1) + 1;
    const first = br.read(br.read(1) ? 8 : 1);
    if (first >= alphabet) throw corrupt(`a simple prefix code names symbol ${first} of ${alphabet}`);
    lengths[first] = 1;
    if (symbols === 2) {
      const second = br.read(8);
      if (second >= alphabet) throw corrupt(`a simple prefix code names symbol ${second} of ${alphabet}`);
      lengths[second] = 1;
    }
    return PrefixCode.fromLengths(lengths, alphabet);
  }
  const lengthLengths = new Uint8Array(19);
  const count = 4 + br.read(4);
  for (let i = 0; i < count; i++) lengthLengths[CODE_LENGTH_ORDER[i]!] = br.read(3);
  const lengthCode = PrefixCode.fromLengths(lengthLengths, 19);
  let maxSymbol = alphabet;
  if (br.read(1)) {
    const nbits = 2 + 2 * br.read(3);
    maxSymbol = 2 + br.read(nbits);
    if (maxSymbol > alphabet) throw corrupt(`a prefix code reads ${maxSymbol} lengths for ${alphabet} symbols`);
  }
  let previous = 8;
  for (let symbol = 0; symbol < alphabet;) {
    if (maxSymbol-- === 0) break;
    const len = lengthCode.read(br);
    if (len < 16) {
      lengths[symbol++] = len;
      if (len !== 0) previous = len;
      continue;
    }
    const repeat = len === 16 ? 3 + br.read(2) : len === 17 ? 3 + br.read(3) : 11 + br.read(7);
    if (symbol + repeat > alphabet) throw corrupt('a code-length repeat runs past the alphabet');
    lengths.fill(len === 16 ? previous : 0, symbol, symbol + repeat);
    symbol += repeat;
  }
  return PrefixCode.fromLengths(lengths, alphabet);
}
