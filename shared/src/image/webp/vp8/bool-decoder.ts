// VP8's boolean entropy decoder (RFC 6386 §7), exact to the spec. `value` holds the bits read so far; the
// top 8 of its `8 + bits` meaningful bits are the spec's comparison window. Bytes are loaded up to three at
// a time, but the end of the partition is only "reached" (`eof`) when a bit is needed that is not there —
// the moment libwebp gives up too — so the caller can refuse a truncated partition.
export class BoolDecoder {
  private value = 0;
  private bits = -8;
  private range = 255;
  private at: number;
  /** Set once a bit past the partition's last byte was needed. */
  eof = false;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
  ) {
    this.at = start;
  }

  private load(): void {
    if (this.at < this.end) {
      while (this.bits <= 15 && this.at < this.end) {
        this.value = (this.value << 8) | this.bytes[this.at++]!;
        this.bits += 8;
      }
    } else {
      this.eof = true;
      this.value <<= 8;
      this.bits += 8;
    }
  }

  /** One bool whose probability of being 0 is prob/256. */
  bit(prob: number): number {
    if (this.bits < 0) this.load();
    const split = 1 + (((this.range - 1) * prob) >> 8);
    const scaled = split << this.bits;
    let bit: number;
    if (this.value >= scaled) {
      this.range -= split;
      this.value -= scaled;
      bit = 1;
    } else {
      this.range = split;
      bit = 0;
    }
    if (this.range < 128) {
      const shift = Math.clz32(this.range) - 24;
      this.range <<= shift;
      this.bits -= shift;
    }
    return bit;
  }

  /** An n-bit unsigned literal, most significant bit first, each bit at probability 1/2. */
  literal(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | this.bit(128);
    return v;
  }

  /** An n-bit magnitude followed by its sign bit. */
  signed(n: number): number {
    const v = this.literal(n);
    return this.bit(128) ? -v : v;
  }

  /** A flag, then the n-bit signed value it announces (0 when absent). */
  optionalSigned(n: number): number {
    return this.bit(128) ? this.signed(n) : 0;
  }
}
