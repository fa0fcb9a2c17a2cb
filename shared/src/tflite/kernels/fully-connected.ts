// FULLY_CONNECTED, int8 (reference_integer_ops::FullyConnected / per-channel variant): int32 dot product of
// (input − input zero point) with each weight row, + bias, requantize, + output zero point, clamp.
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point.ts';
import { activationRange, affine, expectShape, int32Of, int8Of, invalidOp, numElements, type Kernel } from './kernel.ts';
import type { WasmConv } from '../wasm-conv.ts';

interface FcParams {
  input: Int8Array; weights: Int8Array; bias: Int32Array; output: Int8Array; batches: number; depth: number; units: number;
  inputOffset: number; outputOffset: number; multipliers: Int32Array; shifts: Int32Array; actMin: number; actMax: number;
  /** Batch 1 on the wasm path: a 1×1 convolution over one pixel of `depth` channels (identical arithmetic). */
  wasm: WasmConv | null;
}

export const fullyConnected: Kernel<FcParams> = {
  op: 'FULLY_CONNECTED',
  prepare(op, ctx) {
    if (op.op !== 'FULLY_CONNECTED') return invalidOp(op, 'wrong kernel');
    const [inIdx, wIdx, bIdx] = op.inputs;
    const inT = ctx.tensor(inIdx), wT = ctx.tensor(wIdx), outT = ctx.tensor(op.outputs[0]);
    const [units, depth] = wT.shape as [number, number];
    if (wT.shape.length !== 2 || numElements(inT.shape) % depth !== 0) invalidOp(op, `input [${inT.shape.join(', ')}] does not fit weights [${wT.shape.join(', ')}]`);
    const batches = numElements(inT.shape) / depth;
    if (numElements(outT.shape) !== batches * units) invalidOp(op, `output [${outT.shape.join(', ')}] should hold ${batches}×${units} values`);
    expectShape(op, ctx.tensor(bIdx), [units]);
    const inQ = affine(op, inT), outQ = affine(op, outT);
    const ws = wT.quant?.scale ?? [];
    if (ws.length !== 1 && ws.length !== units) invalidOp(op, `weights have ${ws.length} scales for ${units} units`);
    const multipliers = new Int32Array(units), shifts = new Int32Array(units);
    for (let u = 0; u < units; u++) {
      // Per-tensor TFLite forms input_scale × filter_scale in float32 first; per-channel in double.
      const product = ws.length === 1 ? Math.fround(inQ.scale * Math.fround(ws[0]!)) : inQ.scale * Math.fround(ws[u]!);
      const m = quantizeMultiplier(product / outQ.scale);
      multipliers[u] = m.multiplier;
      shifts[u] = m.shift;
    }
    const act = activationRange(op.options.fusedActivation, outQ.scale, outQ.zeroPoint);
    const params = {
      input: int8Of(op, ctx, inIdx), weights: int8Of(op, ctx, wIdx), bias: int32Of(op, ctx, bIdx), output: int8Of(op, ctx, op.outputs[0]),
      batches, depth, units, inputOffset: -inQ.zeroPoint, outputOffset: outQ.zeroPoint, multipliers, shifts, actMin: act.min, actMax: act.max,
    };
    const asConv = { inH: 1, inW: 1, inC: depth, outH: 1, outW: 1, outC: units, kH: 1, kW: 1, strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padTop: 0, padLeft: 0 };
    return { ...params, wasm: ctx.wasm && batches === 1 ? ctx.wasm.conv({ ...params, ...asConv, filter: params.weights }) : null };
  },
  evaluate(p) {
    if (p.wasm) return p.wasm.run(p.input, p.output);
    const { input, weights, depth, units, inputOffset } = p;
    for (let b = 0; b < p.batches; b++) {
      for (let u = 0; u < units; u++) {
        let acc = 0;
        let i = b * depth;
        let w = u * depth;
        const end = i + depth;
        for (; i < end; i++, w++) acc = (acc + Math.imul(input[i]! + inputOffset, weights[w]!)) | 0;
        acc = (acc + p.bias[u]!) | 0;
        acc = (multiplyByQuantizedMultiplier(acc, p.multipliers[u]!, p.shifts[u]!) + p.outputOffset) | 0;
        p.output[b * units + u] = acc < p.actMin ? p.actMin : acc > p.actMax ? p.actMax : acc;
      }
    }
  },
};
