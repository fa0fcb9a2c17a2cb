// CONV_2D, FULLY_CONNECTED (as a 1×1 convolution), MAX_POOL_2D, ADD and QUANTIZE on WebAssembly (SIMD where it helps) (shared/wasm/conv.ts → conv.wasm). The host hands in the compiled module —
// workerd imports conv.wasm as a module (wrangler's CompiledWasm rule), Node compiles the file — so the shared
// code never compiles bytes, which workerd forbids. One instance per interpreter, with a memory sized once for
// every convolution of the graph (weights copied in as int8, rows padded to 8) plus scratch shared by all of
// them; it never grows, so the views made at prepare time stay valid.
import type { GraphIR } from './ir.ts';

const PAGE = 65536;
const PARAM_WORDS = 26;
const POOL_PARAM_WORDS = 15;
const ADD_TABLE_BYTES = 65536;

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

export interface WasmPoolSpec {
  inH: number; inW: number; channels: number; outH: number; outW: number; filterH: number; filterW: number;
  strideH: number; strideW: number; padTop: number; padLeft: number; actMin: number; actMax: number;
}

/** A prepared op on the wasm side: copies its input in, runs, copies its output out. */
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
    private readonly exports: {
      conv: (params: number) => void;
      maxPool: (params: number) => void;
      quantize: (input: number, output: number, size: number, scale: number, zeroPoint: number) => void;
      add: (a: number, b: number, output: number, size: number, table: number) => void;
    },
    private readonly scratch: { input: number; input2: number; output: number; patch: number },
  ) {}

  static forGraph(graph: GraphIR, module: WebAssembly.Module): WasmArena {
    let bytes = 16, input = 0, input2 = 0, output = 0, patch = 0;
    const size = (i: number) => graph.tensors[i]!.shape.reduce((a, d) => a * d, 1);
    for (const op of graph.ops) {
      if (op.op === 'ADD') {
        bytes += ADD_TABLE_BYTES;
        input = Math.max(input, size(op.inputs[0]));
        input2 = Math.max(input2, size(op.inputs[1]));
        output = Math.max(output, size(op.outputs[0]));
        continue;
      }
      if (op.op === 'QUANTIZE') {
        input = Math.max(input, size(op.inputs[0]) * 4);
        output = Math.max(output, size(op.outputs[0]));
        continue;
      }
      if (op.op === 'FULLY_CONNECTED') {
        // Run as a 1×1 convolution over one pixel whose channels are the whole input (batch 1 only).
        const [units, depth] = graph.tensors[op.inputs[1]]!.shape as [number, number];
        if (size(op.inputs[0]) !== depth) continue;
        bytes += convBytes(units, depth);
        input = Math.max(input, depth);
        output = Math.max(output, units);
        patch = Math.max(patch, pad8(depth) * 2 * 2);
        continue;
      }
      if (op.op !== 'CONV_2D' && op.op !== 'MAX_POOL_2D') continue;
      input = Math.max(input, size(op.inputs[0]));
      output = Math.max(output, size(op.outputs[0]));
      if (op.op === 'MAX_POOL_2D') {
        bytes += align16(POOL_PARAM_WORDS * 4);
        continue;
      }
      const [outC, kH, kW, inC] = graph.tensors[op.inputs[1]]!.shape as [number, number, number, number];
      bytes += convBytes(outC, kH * kW * inC);
      patch = Math.max(patch, pad8(kH * kW * inC) * 2 * 2); // two pixels' patches
    }
    const scratchAt = bytes;
    bytes += align16(input) + align16(input2) + align16(output) + align16(patch);
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / PAGE)) });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const scratch = {
      input: scratchAt,
      input2: scratchAt + align16(input),
      output: scratchAt + align16(input) + align16(input2),
      patch: scratchAt + align16(input) + align16(input2) + align16(output),
    };
    return new WasmArena(memory, instance.exports as unknown as WasmArena['exports'], scratch);
  }

  /** Bytes of the wasm memory: int8 filter copies, parameters and scratch. */
  get bytes(): number {
    return this.memory.buffer.byteLength;
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
    return this.op(this.exports.conv, params, s.inH * s.inW * s.inC, s.outH * s.outW * s.outC);
  }

  maxPool(s: WasmPoolSpec): WasmConv {
    const params = this.take(POOL_PARAM_WORDS * 4);
    // The order of shared/wasm/conv.ts's pool parameter block.
    new Int32Array(this.memory.buffer, params, POOL_PARAM_WORDS).set([
      s.inH, s.inW, s.channels, s.outH, s.outW, s.filterH, s.filterW, s.strideH, s.strideW, s.padTop, s.padLeft, s.actMin, s.actMax,
      this.scratch.input, this.scratch.output,
    ]);
    return this.op(this.exports.maxPool, params, s.inH * s.inW * s.channels, s.outH * s.outW * s.channels);
  }

  /** ADD of two int8 tensors of `size` values through the kernel's 65,536-entry output table. */
  add(table: Int8Array, size: number): { run(a: Int8Array, b: Int8Array, output: Int8Array): void } {
    const tableAt = this.take(ADD_TABLE_BYTES);
    new Int8Array(this.memory.buffer, tableAt, ADD_TABLE_BYTES).set(table);
    const aView = new Int8Array(this.memory.buffer, this.scratch.input, size);
    const bView = new Int8Array(this.memory.buffer, this.scratch.input2, size);
    const outView = new Int8Array(this.memory.buffer, this.scratch.output, size);
    const fn = this.exports.add, at = this.scratch;
    return {
      run(a, b, output) {
        aView.set(a);
        bView.set(b);
        fn(at.input, at.input2, at.output, size, tableAt);
        output.set(outView);
      },
    };
  }

  /** QUANTIZE of `size` float32 values with a float32 scale. */
  quantize(size: number, scale: number, zeroPoint: number): { run(input: Float32Array, output: Int8Array): void } {
    const inputView = new Float32Array(this.memory.buffer, this.scratch.input, size);
    const outputView = new Int8Array(this.memory.buffer, this.scratch.output, size);
    const fn = this.exports.quantize, at = this.scratch;
    return {
      run(input, output) {
        inputView.set(input);
        fn(at.input, at.output, size, scale, zeroPoint);
        output.set(outputView);
      },
    };
  }

  private op(fn: (params: number) => void, params: number, inputSize: number, outputSize: number): WasmConv {
    const inputView = new Int8Array(this.memory.buffer, this.scratch.input, inputSize);
    const outputView = new Int8Array(this.memory.buffer, this.scratch.output, outputSize);
    return {
      run(input, output) {
        inputView.set(input);
        fn(params);
        output.set(outputView);
      },
    };
  }
}
