// Bilinear resize of the shorter side fused with the centre crop, fed one source row at a time. Only the
// output pixels inside the crop are computed, each by exactly resize.ts's formula, so the result equals
// centerCrop(resizeShorterSide(image)) bit for bit while work and memory follow the crop, not the resized
// size: a 65535×1 strip resized to 64 would be 4,194,240×64 pixels, of which a 64×64 crop computes 4,096.
import type { MemoryBudget } from '../image/budget.ts';
import type { RawImage } from '../image/types.ts';
import { resizedSize } from './resize.ts';

interface Taps {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float64Array;
}

/** resize.ts's sampling for output indices first..first+count−1 of an inSize → outSize resize. */
function taps(inSize: number, outSize: number, first: number, count: number): Taps {
  const lo = new Int32Array(count);
  const hi = new Int32Array(count);
  const frac = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    let src = ((first + j + 0.5) * inSize) / outSize - 0.5;
    if (src < 0) src = 0;
    if (src > inSize - 1) src = inSize - 1;
    const i = Math.floor(src);
    lo[j] = i;
    hi[j] = Math.min(i + 1, inSize - 1);
    frac[j] = src - i;
  }
  return { lo, hi, frac };
}

export class ResizeCropSink {
  private readonly xs: Taps;
  private readonly ys: Taps;
  private readonly out: Uint8Array;
  private previous: Uint8Array;
  private current: Uint8Array;
  private received = 0;
  private nextRow = 0;

  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly channels: 1 | 3,
    shorter: number,
    private readonly crop: { width: number; height: number },
    private readonly budget: MemoryBudget,
  ) {
    const size = resizedSize(width, height, shorter);
    if (crop.width > size.width || crop.height > size.height) {
      throw new RangeError(`cannot crop ${crop.width}×${crop.height} out of a ${size.width}×${size.height} image`);
    }
    this.xs = taps(width, size.width, Math.floor((size.width - crop.width) / 2), crop.width);
    this.ys = taps(height, size.height, Math.floor((size.height - crop.height) / 2), crop.height);
    this.out = budget.u8(crop.width * crop.height * channels, 'resized crop');
    this.previous = budget.u8(width * channels, 'resize row');
    this.current = budget.u8(width * channels, 'resize row');
  }

  /** Whether any output pixel reads source row `y`; a streaming decoder may skip making the others. */
  needs(y: number): boolean {
    const { lo, hi } = this.ys;
    // lo/hi rise with the output row: the first output row whose hi reaches y decides.
    for (let j = this.nextRow; j < lo.length; j++) {
      if (hi[j]! >= y) return lo[j] === y || hi[j] === y;
    }
    return false;
  }

  /** Counts the rows up to (not including) `y` as received without their pixels; each must be unneeded. */
  skipTo(y: number): void {
    for (; this.received < y; this.received++) {
      if (this.needs(this.received)) throw new RangeError(`resize row ${this.received} is needed, not skippable`);
    }
  }

  /** Source rows must arrive in order, top to bottom; `row` may be reused by the caller afterwards. */
  push(row: Uint8Array): void {
    const r = this.received++;
    [this.previous, this.current] = [this.current, this.previous];
    const length = this.width * this.channels;
    // A view per row is garbage per row (a 1×65535 strip: 65535 of them): only a longer row needs one.
    this.current.set(row.length === length ? row : row.subarray(0, length));
    const { lo, hi, frac } = this.ys;
    while (this.nextRow < this.crop.height && hi[this.nextRow]! <= r) {
      const y = this.nextRow++;
      this.emit(y, lo[y]! === r ? this.current : this.previous, hi[y]! === r ? this.current : this.previous, frac[y]!);
    }
  }

  private emit(y: number, top: Uint8Array, bottom: Uint8Array, fy: number): void {
    const c = this.channels;
    const { lo, hi, frac } = this.xs;
    let o = y * this.crop.width * c;
    for (let x = 0; x < this.crop.width; x++) {
      const left = lo[x]! * c;
      const right = hi[x]! * c;
      const fx = frac[x]!;
      for (let k = 0; k < c; k++) {
        const a = top[left + k]!;
        const b = top[right + k]!;
        const cc = bottom[left + k]!;
        const d = bottom[right + k]!;
        const v = (a * (1 - fx) + b * fx) * (1 - fy) + (cc * (1 - fx) + d * fx) * fy;
        this.out[o++] = Math.floor(v + 0.5);
      }
    }
  }

  finish(): RawImage {
    if (this.received !== this.height) throw new RangeError(`resize got ${this.received} of ${this.height} rows`);
    this.budget.free(this.previous);
    this.budget.free(this.current);
    return { width: this.crop.width, height: this.crop.height, channels: this.channels, data: this.out };
  }
}

/** Feeds a decoded image's rows to a sink. */
export function pushRows(image: RawImage, sink: { push(row: Uint8Array): void }): void {
  const stride = image.width * image.channels;
  for (let y = 0; y < image.height; y++) sink.push(image.data.subarray(y * stride, (y + 1) * stride));
}
