// CONCATENATION, int8 along any axis. Inputs that share the output's quantization are copied (what TFLite
// does; its int8 kernel requires it); an input with another scale or zero point is requantized with an
// integer multiplier, so graphs from other tools still run.
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point.ts';
import { affine, int8Of, invalidOp, numElements, type Kernel } from './kernel.ts';

interface Part {
  data: Int8Array;
  inner: number;
  copy: boolean;
  inputZeroPoint: number;
  multiplier: number;
  shift: number;
}
interface ConcatParams {
  parts: Part[];
  output: Int8Array;
  outer: number;
  outInner: number;
  outputZeroPoint: number;
}

export const concatenation: Kernel<ConcatParams> = {
  op: 'CONCATENATION',
  path: 'reference',
  prepare(op, ctx) {
    if (op.op !== 'CONCATENATION') return invalidOp(op, 'wrong kernel');
    if (op.options.fusedActivation !== 'NONE') invalidOp(op, 'a fused activation is not supported');
    const outT = ctx.tensor(op.outputs[0]);
    const rank = outT.shape.length;
    const axis = op.options.axis < 0 ? op.options.axis + rank : op.options.axis;
    if (axis < 0 || axis >= rank) invalidOp(op, `axis ${op.options.axis} is outside rank ${rank}`);
    const outQ = affine(op, outT);
    let axisTotal = 0;
    const parts = op.inputs.map((index): Part => {
      const t = ctx.tensor(index);
      if (t.shape.length !== rank || t.shape.some((d, i) => i !== axis && d !== outT.shape[i]))
        invalidOp(
          op,
          `input [${t.shape.join(', ')}] does not fit output [${outT.shape.join(', ')}] along axis ${axis}`,
        );
      axisTotal += t.shape[axis]!;
      const q = affine(op, t);
      const m = quantizeMultiplier(q.scale / outQ.scale);
      return {
        data: int8Of(op, ctx, index),
        inner: numElements(t.shape.slice(axis)),
        copy: q.scale === outQ.scale && q.zeroPoint === outQ.zeroPoint,
        inputZeroPoint: q.zeroPoint,
        multiplier: m.multiplier,
        shift: m.shift,
      };
    });
    if (axisTotal !== outT.shape[axis])
      invalidOp(op, `inputs sum to ${axisTotal} along axis ${axis}, output has ${outT.shape[axis]}`);
    const outInner = numElements(outT.shape.slice(axis));
    return {
      parts,
      output: int8Of(op, ctx, op.outputs[0]),
      outer: numElements(outT.shape) / outInner,
      outInner,
      outputZeroPoint: outQ.zeroPoint,
    };
  },
  evaluate(p) {
    let offset = 0;
    for (const part of p.parts) {
      for (let o = 0; o < p.outer; o++) {
        const src = o * part.inner,
          dst = o * p.outInner + offset;
        if (part.copy) {
          p.output.set(part.data.subarray(src, src + part.inner), dst);
          continue;
        }
        for (let i = 0; i < part.inner; i++) {
          const v =
            (multiplyByQuantizedMultiplier(
              (part.data[src + i]! - part.inputZeroPoint) | 0,
              part.multiplier,
              part.shift,
            ) +
              p.outputZeroPoint) |
            0;
          p.output[dst + i] = v < -128 ? -128 : v > 127 ? 127 : v;
        }
      }
      offset += part.inner;
    }
  },
};
