// QUANTIZE float32 → int8 (reference AffineQuantize): q = round_half_away(x / scale) + zero point, clamped.
// The division is done in float32, as TFLite does, so ties land where they land there.
import { affine, float32Of, int8Of, invalidOp, numElements, type Kernel } from './kernel.ts';

interface QuantizeParams {
  input: Float32Array; output: Int8Array; size: number; scale: number; zeroPoint: number;
  wasm: { run(input: Float32Array, output: Int8Array): void } | null;
}

export const quantize: Kernel<QuantizeParams> = {
  op: 'QUANTIZE',
  prepare(op, ctx) {
    if (op.op !== 'QUANTIZE') return invalidOp(op, 'wrong kernel');
    const inT = ctx.tensor(op.inputs[0]), outT = ctx.tensor(op.outputs[0]);
    if (numElements(inT.shape) !== numElements(outT.shape)) invalidOp(op, 'input and output sizes differ');
    const q = affine(op, outT);
    // The file stores the scale as float32; a GraphIR built in memory may hold a double: use what TFLite would.
    const scale = Math.fround(q.scale), size = numElements(outT.shape);
    const params = { input: float32Of(op, ctx, op.inputs[0]), output: int8Of(op, ctx, op.outputs[0]), size, scale, zeroPoint: q.zeroPoint };
    return { ...params, wasm: ctx.wasm ? ctx.wasm.quantize(size, scale, q.zeroPoint) : null };
  },
  evaluate(p) {
    if (p.wasm) return p.wasm.run(p.input, p.output);
    const { input, output, size, scale, zeroPoint } = p;
    for (let i = 0; i < size; i++) {
      // float32 division as TFLite does it, then std::round (half away from zero).
      const q = Math.fround(input[i]! / scale);
      const v = (q < 0 ? -Math.round(-q) : Math.round(q)) + zeroPoint;
      output[i] = v < -128 ? -128 : v > 127 ? 127 : v;
    }
  },
};
