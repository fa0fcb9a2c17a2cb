// ADD, int8, same shapes: the op's one prepare (TFLite Micro's add.cc CalculateOpData: input and output
// multipliers and shifts at a common scale, offsets, clamp) and the reference kernel (reference_integer_ops::Add).
// The optimized and wasm kernels tabulate this same arithmetic.
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point.ts';
import type { OpIR } from '../ir.ts';
import { activationRange, affine, int8Of, invalidOp, numElements, type Kernel, type PrepareContext } from './kernel.ts';

/** Both inputs are shifted left by 20 bits before rescaling, so the rescaled values keep their precision. */
const LEFT_SHIFT = 20;

/** Everything an ADD kernel needs, computed once. */
export interface AddOpData {
  input1: Int8Array;
  input2: Int8Array;
  output: Int8Array;
  size: number;
  /** −zero point of each input; the output zero point. */
  input1Offset: number;
  input2Offset: number;
  outputOffset: number;
  leftShift: number;
  /** Rescale each input to twice the larger input scale, and the sum from there to the output scale. */
  input1Multiplier: number;
  input1Shift: number;
  input2Multiplier: number;
  input2Shift: number;
  outputMultiplier: number;
  outputShift: number;
  actMin: number;
  actMax: number;
}

export function prepareAdd(op: OpIR, ctx: PrepareContext): AddOpData {
  if (op.op !== 'ADD') return invalidOp(op, 'wrong kernel');
  const aT = ctx.tensor(op.inputs[0]),
    bT = ctx.tensor(op.inputs[1]),
    outT = ctx.tensor(op.outputs[0]);
  const same = (s: number[]) => s.length === outT.shape.length && s.every((d, i) => d === outT.shape[i]);
  if (!same(aT.shape) || !same(bT.shape))
    invalidOp(
      op,
      `broadcasting is not supported: [${aT.shape.join(', ')}] + [${bT.shape.join(', ')}] → [${outT.shape.join(', ')}]`,
    );
  const aQ = affine(op, aT),
    bQ = affine(op, bT),
    outQ = affine(op, outT);
  const twiceMax = 2 * Math.max(aQ.scale, bQ.scale);
  const input1 = quantizeMultiplier(aQ.scale / twiceMax);
  const input2 = quantizeMultiplier(bQ.scale / twiceMax);
  const output = quantizeMultiplier(twiceMax / ((1 << LEFT_SHIFT) * outQ.scale));
  const act = activationRange(op.options.fusedActivation, outQ.scale, outQ.zeroPoint);
  return {
    input1: int8Of(op, ctx, op.inputs[0]),
    input2: int8Of(op, ctx, op.inputs[1]),
    output: int8Of(op, ctx, op.outputs[0]),
    size: numElements(outT.shape),
    input1Offset: -aQ.zeroPoint,
    input2Offset: -bQ.zeroPoint,
    outputOffset: outQ.zeroPoint,
    leftShift: LEFT_SHIFT,
    input1Multiplier: input1.multiplier,
    input1Shift: input1.shift,
    input2Multiplier: input2.multiplier,
    input2Shift: input2.shift,
    outputMultiplier: output.multiplier,
    outputShift: output.shift,
    actMin: act.min,
    actMax: act.max,
  };
}

/** One input value (input + offset) · 2^leftShift, rescaled to the common scale. */
export function rescaleInput(
  value: number,
  offset: number,
  leftShift: number,
  multiplier: number,
  shift: number,
): number {
  return multiplyByQuantizedMultiplier(Math.imul(value + offset, 1 << leftShift), multiplier, shift);
}

/** The sum of two rescaled inputs, requantized to the output, + output offset, clamped. */
export function requantizeSum(d: AddOpData, rescaled1: number, rescaled2: number): number {
  const rawSum = (rescaled1 + rescaled2) | 0;
  const rawOutput = (multiplyByQuantizedMultiplier(rawSum, d.outputMultiplier, d.outputShift) + d.outputOffset) | 0;
  return Math.min(d.actMax, Math.max(d.actMin, rawOutput));
}

/** reference_integer_ops::Add (AddElementwise), element by element. */
export function addElementwise(d: AddOpData): void {
  // Bounds: |input + offset| ≤ 255, so the shifted value is below 2^28; each rescale multiplies by less than one
  // and their sum stays below 2^29: every intermediate fits int32.
  for (let i = 0; i < d.size; i++) {
    const rescaled1 = rescaleInput(d.input1[i]!, d.input1Offset, d.leftShift, d.input1Multiplier, d.input1Shift);
    const rescaled2 = rescaleInput(d.input2[i]!, d.input2Offset, d.leftShift, d.input2Multiplier, d.input2Shift);
    d.output[i] = requantizeSum(d, rescaled1, rescaled2);
  }
}

export const add: Kernel<AddOpData> = { op: 'ADD', path: 'reference', prepare: prepareAdd, evaluate: addElementwise };
