// QUANTIZE float32 → int8 (reference AffineQuantize): q = round_half_away(x / scale) + zero point, clamped.
// The division is done in float32, as TFLite does, so ties land where they land there. The wasm kernel starts
// from the same prepare.
import type { OpIR } from '../ir.ts';
import { affine, float32Of, int8Of, invalidOp, numElements, type Kernel, type PrepareContext } from './kernel.ts';

export interface QuantizeOpData {
  input: Float32Array;
  output: Int8Array;
  size: number;
  scale: number;
  zeroPoint: number;
}

export function prepareQuantize(op: OpIR, ctx: PrepareContext): QuantizeOpData {
  if (op.op !== 'QUANTIZE') return invalidOp(op, 'wrong kernel');
  const inT = ctx.tensor(op.inputs[0]),
    outT = ctx.tensor(op.outputs[0]);
  if (numElements(inT.shape) !== numElements(outT.shape)) invalidOp(op, 'input and output sizes differ');
  const q = affine(op, outT);
  // The file stores the scale as float32; a GraphIR built in memory may hold a double: use what TFLite would.
  return {
    input: float32Of(op, ctx, op.inputs[0]),
    output: int8Of(op, ctx, op.outputs[0]),
    size: numElements(outT.shape),
    scale: Math.fround(q.scale),
    zeroPoint: q.zeroPoint,
  };
}

export function affineQuantize(p: QuantizeOpData): void {
  const { input, output, size, scale, zeroPoint } = p;
  for (let i = 0; i < size; i++) {
    // float32 division as TFLite does it, then std::round (half away from zero).
    const q = Math.fround(input[i]! / scale);
    const v = (q < 0 ? -Math.round(-q) : Math.round(q)) + zeroPoint;
    output[i] = v < -128 ? -128 : v > 127 ? 127 : v;
  }
}

export const quantize: Kernel<QuantizeOpData> = {
  op: 'QUANTIZE',
  path: 'reference',
  prepare: prepareQuantize,
  evaluate: affineQuantize,
};
