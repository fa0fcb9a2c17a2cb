// The contract every op kernel meets, TFLite Micro style: `prepare` runs once at model load and turns the
// op's options and quantization into plain integer parameters bound to the op's (already allocated)
// tensor buffers; `evaluate` runs per inference, allocates nothing and does no float math for int8 ops.
// An op may have a kernel on each path (reference loops here, `optimized/` TypeScript, `wasm/`); all of an
// op's kernels start from the same prepare function in its reference file, so they compute the same integers.
import type { GraphIR, OpIR, OpName, TensorIR } from '../ir.ts';
import type { FusedActivation } from '../ir.ts';
import { TfliteError } from '../errors.ts';
import type { WasmArena } from '../wasm-arena.ts';

export type TensorData = Float32Array | Int8Array | Int32Array;

export interface PrepareContext {
  graph: GraphIR;
  tensor(index: number): TensorIR;
  /** The buffer the tensor lives in at run time (constants: their data; activations: planned memory). */
  data(index: number): TensorData;
  /** The wasm path's arena, where wasm kernels report what memory they need (present on that path only). */
  wasm?: WasmArena;
}

/** reference: plain loops as TFLite's reference kernels read; optimized: faster TypeScript; wasm: WebAssembly SIMD. */
export type KernelPath = 'reference' | 'optimized' | 'wasm';

export interface Kernel<P = unknown> {
  op: OpName;
  path: KernelPath;
  prepare(op: OpIR, ctx: PrepareContext): P;
  evaluate(params: P): void;
}

export function wasmArenaOf(op: OpIR, ctx: PrepareContext): WasmArena {
  if (!ctx.wasm) invalidOp(op, 'a wasm kernel was prepared without the wasm arena');
  return ctx.wasm;
}

export function invalidOp(op: OpIR, message: string): never {
  throw new TfliteError('invalid_model', `${op.op}: ${message}`);
}

export function int8Of(op: OpIR, ctx: PrepareContext, index: number): Int8Array {
  const d = ctx.data(index);
  if (!(d instanceof Int8Array)) invalidOp(op, `tensor ${index} '${ctx.tensor(index).name}' must be int8`);
  return d;
}

export function float32Of(op: OpIR, ctx: PrepareContext, index: number): Float32Array {
  const d = ctx.data(index);
  if (!(d instanceof Float32Array)) invalidOp(op, `tensor ${index} '${ctx.tensor(index).name}' must be float32`);
  return d;
}

export function int32Of(op: OpIR, ctx: PrepareContext, index: number): Int32Array {
  const d = ctx.data(index);
  if (!(d instanceof Int32Array)) invalidOp(op, `tensor ${index} '${ctx.tensor(index).name}' must be int32`);
  return d;
}

/** Per-tensor (scale, zero point) of an int8 tensor, the scale as the float32 the file stores. */
export function affine(op: OpIR, t: TensorIR): { scale: number; zeroPoint: number } {
  const scale = t.quant?.scale[0];
  const zeroPoint = t.quant?.zeroPoint[0];
  if (scale === undefined || zeroPoint === undefined || !(scale > 0))
    invalidOp(op, `tensor '${t.name}' lacks a positive quantization scale`);
  return { scale: Math.fround(scale), zeroPoint };
}

/** CalculateActivationRangeQuantized: the int8 clamp a fused activation implies. */
export function activationRange(
  fused: FusedActivation,
  scale: number,
  zeroPoint: number,
): { min: number; max: number } {
  const q = (x: number) => zeroPoint + roundHalf(Math.fround(x / scale));
  switch (fused) {
    case 'NONE':
      return { min: -128, max: 127 };
    case 'RELU':
      return { min: Math.max(-128, q(0)), max: 127 };
    case 'RELU6':
      return { min: Math.max(-128, q(0)), max: Math.min(127, q(6)) };
  }
}

function roundHalf(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

export function numElements(shape: readonly number[]): number {
  return shape.reduce((a, d) => a * d, 1);
}

/** ComputePaddingHeightWidth for one axis: output size and the padding before the first element. */
export function padding(
  kind: 'SAME' | 'VALID',
  inSize: number,
  filter: number,
  stride: number,
  dilation: number,
): { out: number; before: number } {
  const effective = (filter - 1) * dilation + 1;
  const out = kind === 'SAME' ? Math.ceil(inSize / stride) : Math.floor((inSize - effective + stride) / stride);
  const total = Math.max((out - 1) * stride + effective - inSize, 0);
  return { out, before: Math.floor(total / 2) };
}

export function expectShape(op: OpIR, t: TensorIR, shape: readonly number[]): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    invalidOp(op, `tensor '${t.name}' has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  }
}
