// CONV_2D's inner products on WebAssembly SIMD (shared/wasm/dot.ts → dot.wasm). The host hands in the compiled
// module — workerd imports dot.wasm as a module (wrangler's CompiledWasm rule), Node compiles the file — so the
// shared code never compiles bytes, which workerd forbids. One instance per interpreter, with a memory sized once
// for every convolution of the graph: it never grows, so the views made at prepare time stay valid.
import type { GraphIR } from './ir.ts';

const PAGE = 65536;

let defaultModule: WebAssembly.Module | null = null;

/** Makes every Interpreter created afterwards use the wasm path (null: the TypeScript path). */
export function setInt8WasmModule(module: WebAssembly.Module | null): void {
  defaultModule = module;
}

export function int8WasmModule(): WebAssembly.Module | null {
  return defaultModule;
}

/** The wasm side of one convolution: fill `patch` (int16, zero-point corrected), call `run`, read `acc`. */
export interface WasmConv {
  patch: Int16Array;
  acc: Int32Array;
  run(): void;
}

const pad8 = (n: number) => (n + 7) & ~7;

/** Bytes one convolution needs: its filter rows padded to 8, the patch (int16) and the accumulators (int32). */
function convBytes(outC: number, depth: number): number {
  return align16(outC * pad8(depth)) + align16(pad8(depth) * 2) + align16(outC * 4);
}
const align16 = (n: number) => (n + 15) & ~15;

export class WasmArena {
  private next = 16;
  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly dot: (patch: number, filter: number, depth8: number, outC: number, acc: number) => void,
  ) {}

  static forGraph(graph: GraphIR, module: WebAssembly.Module): WasmArena {
    let bytes = 16;
    for (const op of graph.ops) {
      if (op.op !== 'CONV_2D') continue;
      const [outC, kH, kW, inC] = graph.tensors[op.inputs[1]]!.shape as [number, number, number, number];
      bytes += convBytes(outC, kH * kW * inC);
    }
    const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE) });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    return new WasmArena(memory, instance.exports.dot as WasmArena['dot']);
  }

  private take(bytes: number): number {
    const at = this.next;
    this.next += align16(bytes);
    if (this.next > this.memory.buffer.byteLength) throw new RangeError('wasm arena overflow: the graph changed after sizing');
    return at;
  }

  /** Copies the OHWI int8 filter in (rows padded with zeros to a multiple of 8) and lays out patch + accumulators. */
  conv(filter: Int8Array, outC: number, depth: number): WasmConv {
    const depth8 = pad8(depth);
    const filterAt = this.take(outC * depth8);
    const rows = new Int8Array(this.memory.buffer, filterAt, outC * depth8);
    for (let oc = 0; oc < outC; oc++) rows.set(filter.subarray(oc * depth, (oc + 1) * depth), oc * depth8);
    const patchAt = this.take(depth8 * 2);
    const accAt = this.take(outC * 4);
    const dot = this.dot;
    return {
      patch: new Int16Array(this.memory.buffer, patchAt, depth8),
      acc: new Int32Array(this.memory.buffer, accAt, outC),
      run: () => dot(patchAt, filterAt, depth8, outC, accAt),
    };
  }
}
