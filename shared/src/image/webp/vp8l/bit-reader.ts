// VP8L's bit reader (RFC 9649 §3): bits are read least significant first. Up to 32 bits are buffered in
// `window`; `count` says how many of them are valid. Reading past the last byte is a coded refusal, never zeros.
import { ImageError } from '../../errors.ts';

export class LosslessBitReader {
  private window = 0;
  private count = 0;
  private at: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly what = 'WebP lossless data',
  ) {
    this.at = start;
  }

  private fill(): void {
    while (this.count <= 24 && this.at < this.bytes.length) {
      this.window = (this.window | (this.bytes[this.at++]! << this.count)) >>> 0;
      this.count += 8;
    }
  }

  private truncated(): ImageError {
    return new ImageError('corrupt_image', `${this.what} is truncated: the bitstream ends inside the image`);
  }

  /** `n` ≤ 24 bits as an unsigned number. */
  read(n: number): number {
    if (this.count < n) {
      this.fill();
      if (this.count < n) throw this.truncated();
    }
    const value = this.window & ((1 << n) - 1);
    this.window >>>= n;
    this.count -= n;
    return value;
  }

  /** The next 16 bits without consuming them (zeros past the end: `skip` refuses if they are used). */
  peek16(): number {
    if (this.count < 16) this.fill();
    return this.window & 0xffff;
  }

  skip(n: number): void {
    if (this.count < n) throw this.truncated();
    this.window >>>= n;
    this.count -= n;
  }
}
