// ADD, int8, same shapes (reference_integer_ops::Add): both inputs are shifted left by 20 bits, rescaled to
// a common scale (twice the larger input scale), summed, rescaled to the output, offset and clamped.
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point.ts';
import { activationRange, affine, int8Of, invalidOp, numElements, type Kernel } from './kernel.ts';

const LEFT_SHIFT = 20;

interface AddParams {
  a: Int8Array; b: Int8Array; output: Int8Array; size: number;
  /**
   * The output for every pair of int8 codes, index (a + 128) · 256 + (b + 128): both inputs are int8, so the
   * whole reference computation is tabulated once at prepare (64 KiB) and evaluate is one lookup per element.
   */
  table: Int8Array;
  wasm: { run(a: Int8Array, b: Int8Array, output: Int8Array): void } | null;
}

export const add: Kernel<AddParams> = {
  op: 'ADD',
  prepare(op, ctx) {
    if (op.op !== 'ADD') return invalidOp(op, 'wrong kernel');
    const aT = ctx.tensor(op.inputs[0]), bT = ctx.tensor(op.inputs[1]), outT = ctx.tensor(op.outputs[0]);
    const same = (s: number[]) => s.length === outT.shape.length && s.every((d, i) => d === outT.shape[i]);
    if (!same(aT.shape) || !same(bT.shape)) invalidOp(op, `broadcasting is not supported: [${aT.shape.join(', ')}] + [${bT.shape.join(', ')}] → [${outT.shape.join(', ')}]`);
    const aQ = affine(op, aT), bQ = affine(op, bT), outQ = affine(op, outT);
    const twiceMax = 2 * Math.max(aQ.scale, bQ.scale);
    const am = quantizeMultiplier(aQ.scale / twiceMax);
    const bm = quantizeMultiplier(bQ.scale / twiceMax);
    const om = quantizeMultiplier(twiceMax / ((1 << LEFT_SHIFT) * outQ.scale));
    const act = activationRange(op.options.fusedActivation, outQ.scale, outQ.zeroPoint);
    const size = numElements(outT.shape);
    const table = outputTable(rescaleTable(-aQ.zeroPoint, am.multiplier, am.shift), rescaleTable(-bQ.zeroPoint, bm.multiplier, bm.shift), om, outQ.zeroPoint, act);
    return {
      a: int8Of(op, ctx, op.inputs[0]), b: int8Of(op, ctx, op.inputs[1]), output: int8Of(op, ctx, op.outputs[0]), size, table,
      wasm: ctx.wasm ? ctx.wasm.add(table, size) : null,
    };
  },
  evaluate(p) {
    if (p.wasm) return p.wasm.run(p.a, p.b, p.output);
    const { a, b, output, table } = p;
    for (let i = 0; i < p.size; i++) output[i] = table[((a[i]! + 128) << 8) | (b[i]! + 128)]!;
  },
};

/** (v − zero point) · 2^20, rescaled to the common scale, for v = −128 … 127. */
function rescaleTable(offset: number, multiplier: number, shift: number): Int32Array {
  const table = new Int32Array(256);
  for (let v = -128; v < 128; v++) table[v + 128] = multiplyByQuantizedMultiplier(Math.imul(v + offset, 1 << LEFT_SHIFT), multiplier, shift);
  return table;
}

/** reference_integer_ops::Add for every (a, b) pair, from the inputs' rescaled values. */
function outputTable(aRescaled: Int32Array, bRescaled: Int32Array, om: { multiplier: number; shift: number }, outputOffset: number, act: { min: number; max: number }): Int8Array {
  const table = new Int8Array(65536);
  for (let a = 0; a < 256; a++) {
    for (let b = 0; b < 256; b++) {
      const out = (multiplyByQuantizedMultiplier((aRescaled[a]! + bRescaled[b]!) | 0, om.multiplier, om.shift) + outputOffset) | 0;
      table[(a << 8) | b] = out < act.min ? act.min : out > act.max ? act.max : out;
    }
  }
  return table;
}
