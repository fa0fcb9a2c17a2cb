// RESHAPE: the same bytes under a new shape. Input and output keep separate buffers (the memory planner
// may reuse the input's), so this is a copy.
import { invalidOp, numElements, type Kernel, type TensorData } from './kernel.ts';

interface ReshapeParams {
  input: TensorData;
  output: TensorData;
}

export const reshape: Kernel<ReshapeParams> = {
  op: 'RESHAPE',
  path: 'reference',
  prepare(op, ctx) {
    if (op.op !== 'RESHAPE') return invalidOp(op, 'wrong kernel');
    const inT = ctx.tensor(op.inputs[0]),
      outT = ctx.tensor(op.outputs[0]);
    if (inT.type !== outT.type || numElements(inT.shape) !== numElements(outT.shape))
      invalidOp(
        op,
        `cannot reshape ${inT.type} [${inT.shape.join(', ')}] into ${outT.type} [${outT.shape.join(', ')}]`,
      );
    if (
      inT.quant &&
      outT.quant &&
      (inT.quant.scale[0] !== outT.quant.scale[0] || inT.quant.zeroPoint[0] !== outT.quant.zeroPoint[0])
    )
      invalidOp(op, 'input and output must share quantization');
    return { input: ctx.data(op.inputs[0]), output: ctx.data(op.outputs[0]) };
  },
  evaluate(p) {
    (p.output as Int8Array).set(p.input as Int8Array);
  },
};
