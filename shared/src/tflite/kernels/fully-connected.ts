// FULLY_CONNECTED, int8: the op's one prepare (per-unit multipliers and shifts, offsets, clamp) and the reference
// kernel (reference_integer_ops::FullyConnected, per-channel variant). The wasm kernel starts from the same prepare.
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point.ts';
import type { OpIR } from '../ir.ts';
import {
  activationRange,
  affine,
  expectShape,
  int32Of,
  int8Of,
  invalidOp,
  numElements,
  type Kernel,
  type PrepareContext,
} from './kernel.ts';

/** Everything a FULLY_CONNECTED kernel needs, computed once. Weights are [units, depth]; input [batches, depth]. */
export interface FullyConnectedOpData {
  input: Int8Array;
  weights: Int8Array;
  bias: Int32Array;
  output: Int8Array;
  batches: number;
  depth: number;
  units: number;
  inputOffset: number;
  outputOffset: number;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
}

export function prepareFullyConnected(op: OpIR, ctx: PrepareContext): FullyConnectedOpData {
  if (op.op !== 'FULLY_CONNECTED') return invalidOp(op, 'wrong kernel');
  const [inIdx, wIdx, bIdx] = op.inputs;
  const inT = ctx.tensor(inIdx),
    wT = ctx.tensor(wIdx),
    outT = ctx.tensor(op.outputs[0]);
  const [units, depth] = wT.shape as [number, number];
  if (wT.shape.length !== 2 || numElements(inT.shape) % depth !== 0)
    invalidOp(op, `input [${inT.shape.join(', ')}] does not fit weights [${wT.shape.join(', ')}]`);
  const batches = numElements(inT.shape) / depth;
  if (numElements(outT.shape) !== batches * units)
    invalidOp(op, `output [${outT.shape.join(', ')}] should hold ${batches}×${units} values`);
  expectShape(op, ctx.tensor(bIdx), [units]);
  const inQ = affine(op, inT),
    outQ = affine(op, outT);
  const ws = wT.quant?.scale ?? [];
  if (ws.length !== 1 && ws.length !== units) invalidOp(op, `weights have ${ws.length} scales for ${units} units`);
  const multipliers = new Int32Array(units),
    shifts = new Int32Array(units);
  for (let u = 0; u < units; u++) {
    // Per-tensor TFLite forms input_scale × filter_scale in float32 first; per-channel in double.
    const product = ws.length === 1 ? Math.fround(inQ.scale * Math.fround(ws[0]!)) : inQ.scale * Math.fround(ws[u]!);
    const m = quantizeMultiplier(product / outQ.scale);
    multipliers[u] = m.multiplier;
    shifts[u] = m.shift;
  }
  const act = activationRange(op.options.fusedActivation, outQ.scale, outQ.zeroPoint);
  return {
    input: int8Of(op, ctx, inIdx),
    weights: int8Of(op, ctx, wIdx),
    bias: int32Of(op, ctx, bIdx),
    output: int8Of(op, ctx, op.outputs[0]),
    batches,
    depth,
    units,
    inputOffset: -inQ.zeroPoint,
    outputOffset: outQ.zeroPoint,
    multipliers,
    shifts,
    actMin: act.min,
    actMax: act.max,
  };
}

/**
 * reference_integer_ops::FullyConnected: for each batch and unit, the int32 dot product of (input + input offset)
 * with the unit's weight row, + bias, requantized with the unit's multiplier and shift, + output offset, clamped.
 */
export function fullyConnectedPerChannel(d: FullyConnectedOpData): void {
  const { input, weights, bias, output, batches, depth, units, inputOffset } = d;
  // Accumulator bound: each product is within ±255·127 = ±32,385, so depths up to 66,000 stay inside int32.
  for (let batch = 0; batch < batches; batch++) {
    for (let unit = 0; unit < units; unit++) {
      let acc = 0;
      for (let k = 0; k < depth; k++)
        acc = (acc + Math.imul(weights[unit * depth + k]!, input[batch * depth + k]! + inputOffset)) | 0;
      acc = (acc + bias[unit]!) | 0;
      acc = multiplyByQuantizedMultiplier(acc, d.multipliers[unit]!, d.shifts[unit]!);
      acc = (acc + d.outputOffset) | 0;
      acc = Math.max(acc, d.actMin);
      acc = Math.min(acc, d.actMax);
      output[batch * units + unit] = acc;
    }
  }
}

export const fullyConnected: Kernel<FullyConnectedOpData> = {
  op: 'FULLY_CONNECTED',
  path: 'reference',
  prepare: prepareFullyConnected,
  evaluate: fullyConnectedPerChannel,
};
