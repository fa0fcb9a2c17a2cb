// The entropy-coded bytes of one scan as a bit stream: 0xFF 0x00 is a literal 0xFF, any other marker ends
// the data. Past the end the reader supplies zero bits and counts them, so a truncated scan is detected
// once decoding finishes instead of being painted grey.
import { ImageError } from '../errors.ts';
import type { HuffmanTable } from './huffman.ts';
import { LOOKAHEAD_BITS } from './huffman.ts';

export class BitReader {
  /** Up to 32 buffered bits; the low `count` bits are unread. */
  private acc = 0;
  private count = 0;
  /** Zero bytes supplied after the data ended. */
  private padding = 0;

  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
  ) {}

  private fill(): void {
    const bytes = this.bytes;
    while (this.count <= 24) {
      let byte = 0;
      if (this.pos < bytes.length && !(bytes[this.pos] === 0xff && bytes[this.pos + 1] !== 0x00)) {
        byte = bytes[this.pos]!;
        this.pos += byte === 0xff ? 2 : 1;
      } else {
        this.padding++;
      }
      this.acc = (this.acc << 8) | byte;
      this.count += 8;
    }
  }

  bits(n: number): number {
    if (this.count < n) this.fill();
    this.count -= n;
    return (this.acc >>> this.count) & ((1 << n) - 1);
  }

  bit(): number {
    if (this.count < 1) this.fill();
    this.count--;
    return (this.acc >>> this.count) & 1;
  }

  /** n bits as a signed coefficient (T.81 F.2.2.1 EXTEND). */
  receiveExtend(n: number): number {
    if (n === 0) return 0;
    if (n > 16) throw new ImageError('corrupt_image', `JPEG coefficient of ${n} bits`);
    const v = this.bits(n);
    return v < 1 << (n - 1) ? v - (1 << n) + 1 : v;
  }

  decode(table: HuffmanTable): number {
    if (this.count < 16) this.fill();
    const entry = table.lookahead[(this.acc >>> (this.count - LOOKAHEAD_BITS)) & ((1 << LOOKAHEAD_BITS) - 1)]!;
    if (entry !== 0) {
      this.count -= entry >> 8;
      return entry & 0xff;
    }
    for (let length = LOOKAHEAD_BITS + 1; length <= 16; length++) {
      const code = (this.acc >>> (this.count - length)) & ((1 << length) - 1);
      if (code <= table.maxCode[length]!) {
        this.count -= length;
        return table.symbols[table.offset[length]! + code]!;
      }
    }
    throw new ImageError('corrupt_image', 'JPEG scan holds a code that is in no Huffman table');
  }

  /** True when decoding consumed bits that the file does not have. */
  get overran(): boolean {
    return this.padding * 8 > this.count;
  }

  /** At a restart interval: drop the partial byte and step over the RSTn marker. */
  restart(): void {
    if (this.overran) throw new ImageError('corrupt_image', 'JPEG scan data ends before its last block');
    this.acc = 0;
    this.count = 0;
    this.padding = 0;
    const bytes = this.bytes;
    while (this.pos + 1 < bytes.length && bytes[this.pos] === 0xff && bytes[this.pos + 1] === 0xff) this.pos++;
    const marker = bytes[this.pos + 1] ?? 0;
    if (bytes[this.pos] !== 0xff || marker < 0xd0 || marker > 0xd7) {
      throw new ImageError('corrupt_image', `JPEG restart marker missing at byte ${this.pos}`);
    }
    this.pos += 2;
  }
}

/** Offset of the marker that ends the entropy-coded data starting at `pos` (RSTn markers are part of it). */
export function endOfScanData(bytes: Uint8Array, pos: number): number {
  for (;;) {
    const at = bytes.indexOf(0xff, pos);
    if (at < 0 || at + 1 >= bytes.length) return bytes.length;
    const next = bytes[at + 1]!;
    if (next !== 0x00 && next !== 0xff && (next < 0xd0 || next > 0xd7)) return at;
    pos = at + 1;
  }
}
