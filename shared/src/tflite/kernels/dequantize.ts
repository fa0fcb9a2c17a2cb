// DEQUANTIZE int8 → float32 (reference Dequantize): x = scale × (q − zero point), stored as float32.
import { affine, float32Of, int8Of, invalidOp, numElements, type Kernel } from './kernel.ts';

interface DequantizeParams {
  input: Int8Array;
  output: Float32Array;
  size: number;
  scale: number;
  zeroPoint: number;
}

export const dequantize: Kernel<DequantizeParams> = {
  op: 'DEQUANTIZE',
  path: 'reference',
  prepare(op, ctx) {
    if (op.op !== 'DEQUANTIZE') return invalidOp(op, 'wrong kernel');
    const inT = ctx.tensor(op.inputs[0]),
      outT = ctx.tensor(op.outputs[0]);
    if (numElements(inT.shape) !== numElements(outT.shape)) invalidOp(op, 'input and output sizes differ');
    const q = affine(op, inT);
    return {
      input: int8Of(op, ctx, op.inputs[0]),
      output: float32Of(op, ctx, op.outputs[0]),
      size: numElements(outT.shape),
      ...q,
    };
  },
  evaluate(p) {
    for (let i = 0; i < p.size; i++) p.output[i] = p.scale * (p.input[i]! - p.zeroPoint);
  },
};
