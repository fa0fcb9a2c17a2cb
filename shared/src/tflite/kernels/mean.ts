// MEAN over axes [1, 2] of an int8 NHWC tensor (reference_integer_ops::Mean): sum of (input − input zero
// point), requantized by input_scale / output_scale, divided by H·W rounding half away from zero,
// + output zero point, clamp. This is global average pooling.
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point.ts';
import { affine, expectShape, int32Of, int8Of, invalidOp, type Kernel } from './kernel.ts';

interface MeanParams {
  input: Int8Array;
  output: Int8Array;
  H: number;
  W: number;
  C: number;
  inputZeroPoint: number;
  outputZeroPoint: number;
  multiplier: number;
  shift: number;
}

export const mean: Kernel<MeanParams> = {
  op: 'MEAN',
  path: 'reference',
  prepare(op, ctx) {
    if (op.op !== 'MEAN') return invalidOp(op, 'wrong kernel');
    const inT = ctx.tensor(op.inputs[0]),
      outT = ctx.tensor(op.outputs[0]);
    const axes = [...int32Of(op, ctx, op.inputs[1])].sort();
    if (inT.shape.length !== 4 || inT.shape[0] !== 1 || axes.length !== 2 || axes[0] !== 1 || axes[1] !== 2) {
      invalidOp(
        op,
        `only the mean over axes [1, 2] of a [1, H, W, C] tensor is supported (got axes [${axes.join(', ')}] of [${inT.shape.join(', ')}])`,
      );
    }
    const [, H, W, C] = inT.shape as [number, number, number, number];
    expectShape(op, outT, op.options.keepDims ? [1, 1, 1, C] : [1, C]);
    const inQ = affine(op, inT),
      outQ = affine(op, outT);
    const m = quantizeMultiplier(inQ.scale / outQ.scale);
    return {
      input: int8Of(op, ctx, op.inputs[0]),
      output: int8Of(op, ctx, op.outputs[0]),
      H,
      W,
      C,
      inputZeroPoint: inQ.zeroPoint,
      outputZeroPoint: outQ.zeroPoint,
      multiplier: m.multiplier,
      shift: m.shift,
    };
  },
  evaluate(p) {
    const { input, output, C } = p;
    const n = p.H * p.W;
    const half = (n / 2) | 0;
    for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let i = c; i < n * C; i += C) acc = (acc + input[i]! - p.inputZeroPoint) | 0;
      acc = multiplyByQuantizedMultiplier(acc, p.multiplier, p.shift);
      acc = (acc > 0 ? ((acc + half) / n) | 0 : ((acc - half) / n) | 0) + p.outputZeroPoint;
      output[c] = acc < -128 ? -128 : acc > 127 ? 127 : acc;
    }
  },
};
