// The WebAssembly loop filter (shared/wasm/webp-filter.ts → webp-filter.wasm): loop-filter.ts's results, 16
// samples at a time. The host hands in the compiled module, as for conv.wasm and jpeg.wasm (workerd imports it,
// Node compiles the file), so this code never compiles bytes. One instance and one memory serve every decode: a
// decode places its band (the rows decode.ts reconstructs into and emits from) and the row's filter parameters in
// that memory, sized once from the frame before anything is written, and charges them to the request's budget.
import type { MemoryBudget } from '../../budget.ts';
import { ReusedWasmInstance } from '../../wasm-instance.ts';
import type { FilterStrength } from './frame-header.ts';

/** Makes every lossy WebP decode afterwards filter with webp-filter.wasm (null: loop-filter.ts). */
export function setWebpFilterWasmModule(module: WebAssembly.Module | null): void {
  filterWasm.install(module);
}

export function webpFilterWasmModule(): WebAssembly.Module | null {
  return filterWasm.module;
}

interface FilterExports {
  filterRow(
    filterType: number,
    mbWide: number,
    y: number,
    u: number,
    v: number,
    yStride: number,
    uvStride: number,
    params: number,
    hasTop: number,
  ): void;
}

/** A memory past 16 MiB is dropped after the decode that needed it rather than kept for the next one. */
const filterWasm = new ReusedWasmInstance<FilterExports>(16 * 1024 * 1024);
/** Per macroblock, as webp-filter.ts reads them: limit (0: unfiltered), interior limit, hev threshold, inner. */
const PARAM_BYTES = 4;

const align16 = (n: number): number => (n + 15) & ~15;

/** Bytes of the wasm memory kept for the next decode (0 when none is): what the memory tests watch. */
export function webpFilterWasmMemoryBytes(): number {
  return filterWasm.memoryBytes;
}

/** One decode's band in wasm memory, and the filter over its current macroblock row. */
export class WasmBand {
  readonly y: Uint8Array;
  readonly u: Uint8Array;
  readonly v: Uint8Array;
  private readonly exports: FilterExports;
  private readonly params: Uint8Array;
  private readonly bytes: number;

  /** `yBytes`/`uvBytes`: the band's size per plane; `yRow`/`uvRow`: where its current macroblock row starts. */
  constructor(
    module: WebAssembly.Module,
    private readonly mbWide: number,
    yBytes: number,
    uvBytes: number,
    private readonly yStride: number,
    private readonly uvStride: number,
    private readonly yRow: number,
    private readonly uvRow: number,
    private readonly budget: MemoryBudget,
  ) {
    // The first KiB is left to the module's static data (it has none today).
    const paramsAt = 1024;
    const yAt = align16(paramsAt + mbWide * PARAM_BYTES);
    const uAt = align16(yAt + yBytes);
    const vAt = align16(uAt + uvBytes);
    this.bytes = align16(vAt + uvBytes);
    budget.charge(this.bytes, 'WebP loop filter memory');
    const { memory, exports } = filterWasm.acquire(module, this.bytes);
    this.exports = exports;
    const buffer = memory.buffer;
    this.params = new Uint8Array(buffer, paramsAt, mbWide * PARAM_BYTES);
    this.y = new Uint8Array(buffer, yAt, yBytes);
    this.u = new Uint8Array(buffer, uAt, uvBytes);
    this.v = new Uint8Array(buffer, vAt, uvBytes);
    // A reused memory holds the last decode's samples; a band starts zeroed, as a new Uint8Array does.
    new Uint8Array(buffer, yAt, this.bytes - yAt).fill(0);
    filterWasm.release();
  }

  /** Macroblock `mbx`'s filter for the current row (`limit` 0: it is not filtered). */
  setMacroblock(mbx: number, f: FilterStrength, inner: boolean): void {
    const p = this.params;
    const at = mbx * PARAM_BYTES;
    p[at] = f.limit;
    p[at + 1] = f.interior;
    p[at + 2] = f.hevThreshold;
    p[at + 3] = inner ? 1 : 0;
  }

  /** Filters the current macroblock row, as loop-filter.ts's filterMacroblock over every macroblock would. */
  filterRow(filterType: 1 | 2, hasTop: boolean): void {
    const { y, u, v } = this;
    this.exports.filterRow(
      filterType,
      this.mbWide,
      y.byteOffset + this.yRow,
      u.byteOffset + this.uvRow,
      v.byteOffset + this.uvRow,
      this.yStride,
      this.uvStride,
      this.params.byteOffset,
      hasTop ? 1 : 0,
    );
  }

  close(): void {
    this.budget.release(this.bytes);
  }
}
