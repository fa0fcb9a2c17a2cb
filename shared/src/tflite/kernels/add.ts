// ADD, int8, same shapes (reference_integer_ops::Add): both inputs are shifted left by 20 bits, rescaled to
// a common scale (twice the larger input scale), summed, rescaled to the output, offset and clamped.
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point.ts';
import { activationRange, affine, int8Of, invalidOp, numElements, type Kernel } from './kernel.ts';

const LEFT_SHIFT = 20;

interface AddParams {
  a: Int8Array; b: Int8Array; output: Int8Array; size: number;
  /** Each input's rescaled value for every int8 code (index v + 128): exact, and two fixed-point ops fewer per element. */
  aRescaled: Int32Array; bRescaled: Int32Array;
  outputOffset: number; outMultiplier: number; outShift: number;
  actMin: number; actMax: number;
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
    return {
      a: int8Of(op, ctx, op.inputs[0]), b: int8Of(op, ctx, op.inputs[1]), output: int8Of(op, ctx, op.outputs[0]), size: numElements(outT.shape),
      aRescaled: rescaleTable(-aQ.zeroPoint, am.multiplier, am.shift), bRescaled: rescaleTable(-bQ.zeroPoint, bm.multiplier, bm.shift),
      outputOffset: outQ.zeroPoint, outMultiplier: om.multiplier, outShift: om.shift,
      actMin: act.min, actMax: act.max,
    };
  },
  evaluate(p) {
    const { aRescaled, bRescaled } = p;
    for (let i = 0; i < p.size; i++) {
      const a = aRescaled[p.a[i]! + 128]!;
      const b = bRescaled[p.b[i]! + 128]!;
      const out = (multiplyByQuantizedMultiplier((a + b) | 0, p.outMultiplier, p.outShift) + p.outputOffset) | 0;
      p.output[i] = out < p.actMin ? p.actMin : out > p.actMax ? p.actMax : out;
    }
  },
};

/** (v − zero point) · 2^20, rescaled to the common scale, for v = −128 … 127. */
function rescaleTable(offset: number, multiplier: number, shift: number): Int32Array {
  const table = new Int32Array(256);
  for (let v = -128; v < 128; v++) table[v + 128] = multiplyByQuantizedMultiplier(Math.imul(v + offset, 1 << LEFT_SHIFT), multiplier, shift);
  return table;
}
