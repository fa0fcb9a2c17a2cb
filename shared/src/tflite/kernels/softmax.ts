// SOFTMAX over the last axis, float32: exp(β·(x − max)) / Σ, computed in place in the output.
import { float32Of, invalidOp, numElements, type Kernel } from './kernel.ts';

interface SoftmaxParams {
  input: Float32Array;
  output: Float32Array;
  rows: number;
  depth: number;
  beta: number;
}

export const softmax: Kernel<SoftmaxParams> = {
  op: 'SOFTMAX',
  path: 'reference',
  prepare(op, ctx) {
    if (op.op !== 'SOFTMAX') return invalidOp(op, 'wrong kernel');
    const inT = ctx.tensor(op.inputs[0]);
    const depth = inT.shape[inT.shape.length - 1] ?? 1;
    if (numElements(ctx.tensor(op.outputs[0]).shape) !== numElements(inT.shape))
      invalidOp(op, 'input and output sizes differ');
    return {
      input: float32Of(op, ctx, op.inputs[0]),
      output: float32Of(op, ctx, op.outputs[0]),
      rows: numElements(inT.shape) / depth,
      depth,
      beta: op.options.beta,
    };
  },
  evaluate(p) {
    for (let r = 0; r < p.rows; r++) {
      const base = r * p.depth;
      let max = -Infinity;
      for (let i = 0; i < p.depth; i++) max = Math.max(max, p.input[base + i]!);
      let sum = 0;
      for (let i = 0; i < p.depth; i++) sum += p.output[base + i] = Math.exp(p.beta * (p.input[base + i]! - max));
      for (let i = 0; i < p.depth; i++) p.output[base + i] = p.output[base + i]! / sum;
    }
  },
};
