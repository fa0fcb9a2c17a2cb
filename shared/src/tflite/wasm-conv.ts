// CONV_2D on WebAssembly SIMD (shared/wasm/conv.ts → conv.wasm). The host hands in the compiled module —
// workerd imports conv.wasm as a module (wrangler's CompiledWasm rule), Node compiles the file — so the shared
// code never compiles bytes, which workerd forbids. One instance per interpreter, with a memory sized once for
// every convolution of the graph (weights copied in as int8, rows padded to 8) plus scratch shared by all of
// them; it never grows, so the views made at prepare time stay valid.
import type { GraphIR } from './ir.ts';

const PAGE = 65536;
const PARAM_WORDS = 26;

let defaultModule: WebAssembly.Module | null = null;

/** Makes every Interpreter created afterwards use the wasm path (null: the TypeScript path). */
export function setInt8WasmModule(module: WebAssembly.Module | null): void {
  defaultModule = module;
}

export function int8WasmModule(): WebAssembly.Module | null {
  return defaultModule;
}

/** A prepared convolution: the same integers the TypeScript kernel prepares. */
export interface WasmConvSpec {
  inH: number; inW: number; inC: number; outH: number; outW: number; outC: number; kH: number; kW: number;
  strideH: number; strideW: number; dilationH: number; dilationW: number; padTop: number; padLeft: number;
  inputOffset: number; outputOffset: number; actMin: number; actMax: number;
  filter: Int8Array; bias: Int32Array; multipliers: Int32Array; shifts: Int32Array;
}

export interface WasmConv {
  run(input: Int8Array, output: Int8Array): void;
}

const pad8 = (n: number) => (n + 7) & ~7;
const align16 = (n: number) => (n + 15) & ~15;

function convBytes(outC: number, depth: number): number {
  return align16(PARAM_WORDS * 4) + align16(outC * pad8(depth)) + 3 * align16(outC * 4);
}

export class WasmArena {
  private next = 16;
  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly convFn: (params: number) => void,
    private readonly scratch: { input: number; output: number; patch: number },
  ) {}

  static forGraph(graph: GraphIR, module: WebAssembly.Module): WasmArena {
    let bytes = 16, input = 0, output = 0, patch = 0;
    const size = (i: number) => graph.tensors[i]!.shape.reduce((a, d) => a * d, 1);
    for (const op of graph.ops) {
      if (op.op !== 'CONV_2D') continue;
      const [outC, kH, kW, inC] = graph.tensors[op.inputs[1]]!.shape as [number, number, number, number];
      bytes += convBytes(outC, kH * kW * inC);
      input = Math.max(input, size(op.inputs[0]));
      output = Math.max(output, size(op.outputs[0]));
      patch = Math.max(patch, pad8(kH * kW * inC) * 2);
    }
    const scratchAt = bytes;
    bytes += align16(input) + align16(output) + align16(patch);
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const scratch = { input: scratchAt, output: scratchAt + align16(input), patch: scratchAt + align16(input) + align16(output) };
    const arena = new WasmArena(memory, instance.exports.conv as (params: number) => void, scratch);
    arena.next = 16;
    return arena;
  }

  private take(bytes: number): number {
    const at = this.next;
    this.next += align16(bytes);
    if (this.next > this.scratch.input) throw new RangeError('wasm arena overflow: the graph changed after sizing');
    return at;
  }

  private copy(data: Int32Array): number {
    const at = this.take(data.byteLength);
    new Int32Array(this.memory.buffer, at, data.length).set(data);
    return at;
  }

  conv(s: WasmConvSpec): WasmConv {
    const depth = s.kH * s.kW * s.inC, depth8 = pad8(depth);
    const params = this.take(PARAM_WORDS * 4);
    const filter = this.take(s.outC * depth8);
    const rows = new Int8Array(this.memory.buffer, filter, s.outC * depth8);
    for (let oc = 0; oc < s.outC; oc++) rows.set(s.filter.subarray(oc * depth, (oc + 1) * depth), oc * depth8);
    const bias = this.copy(s.bias), mult = this.copy(s.multipliers), shift = this.copy(s.shifts);
    // The order of shared/wasm/conv.ts's parameter block.
    new Int32Array(this.memory.buffer, params, PARAM_WORDS).set([
      s.inH, s.inW, s.inC, s.outH, s.outW, s.outC, s.kH, s.kW, s.strideH, s.strideW, s.dilationH, s.dilationW, s.padTop, s.padLeft,
      s.inputOffset, s.outputOffset, s.actMin, s.actMax, depth8, filter, bias, mult, shift, this.scratch.input, this.scratch.output, this.scratch.patch,
    ]);
    const inputView = new Int8Array(this.memory.buffer, this.scratch.input, s.inH * s.inW * s.inC);
    const outputView = new Int8Array(this.memory.buffer, this.scratch.output, s.outH * s.outW * s.outC);
    const convFn = this.convFn;
    return {
      run(input, output) {
        inputView.set(input);
        convFn(params);
        output.set(outputView);
      },
    };
  }
}
