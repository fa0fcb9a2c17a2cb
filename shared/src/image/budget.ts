// One allocator for every buffer a request's decode and preprocess need, so the per-request memory limit is
// enforced before the bytes exist rather than hoped for: each allocation is charged first and refused with
// `over_memory_budget` when it would take the live total past the limit. `peak` is what the memory test reads.
import { ImageError } from './errors.ts';

/** Decode + preprocess of one image; leaves room under a Worker's 128 MB for the model and the runtime. */
export const DEFAULT_MEMORY_BUDGET_BYTES = 32 * 1024 * 1024;

type Buffer = Uint8Array | Int16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

export class MemoryBudget {
  private live = 0;
  private highWater = 0;

  constructor(readonly limitBytes: number = DEFAULT_MEMORY_BUDGET_BYTES) {}

  get peak(): number {
    return this.highWater;
  }

  get inUse(): number {
    return this.live;
  }

  /** Charges `bytes` without allocating: for memory held elsewhere (an inflater's window, wasm memory, stores). */
  charge(bytes: number, what: string): void {
    if (this.live + bytes > this.limitBytes) {
      const mb = (n: number): string => (n / (1024 * 1024)).toFixed(1);
      throw new ImageError(
        'over_memory_budget',
        `decoding needs ${mb(this.live + bytes)} MB (${what}: ${mb(bytes)} MB), over the per-image budget of ${mb(this.limitBytes)} MB`,
      );
    }
    this.live += bytes;
    if (this.live > this.highWater) this.highWater = this.live;
  }

  release(bytes: number): void {
    this.live = Math.max(0, this.live - bytes);
  }

  free(buffer: Buffer): void {
    this.release(buffer.byteLength);
  }

  u8(length: number, what: string): Uint8Array {
    this.charge(length, what);
    return new Uint8Array(length);
  }

  i16(length: number, what: string): Int16Array {
    this.charge(length * 2, what);
    return new Int16Array(length);
  }

  f32(length: number, what: string): Float32Array {
    this.charge(length * 4, what);
    return new Float32Array(length);
  }
}
