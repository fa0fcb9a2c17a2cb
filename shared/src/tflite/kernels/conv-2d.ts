// CONV_2D, int8 with per-channel filter scales: the op's one prepare (TFLite Micro's conv_common.cc: output shape,
// paddings, per-channel multipliers and shifts, offsets, clamp) and the reference kernel
// (reference_integer_ops::ConvPerChannel). The optimized and wasm kernels start from the same prepare.
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point.ts';
import type { OpIR } from '../ir.ts';
import {
  activationRange,
  affine,
  expectShape,
  int32Of,
  int8Of,
  invalidOp,
  padding,
  type Kernel,
  type PrepareContext,
} from './kernel.ts';

/** Tensor index constants of CONV_2D, as TFLite names them. */
const INPUT = 0,
  FILTER = 1,
  BIAS = 2,
  OUTPUT = 0;

/** Everything a CONV_2D kernel needs, computed once. Filter layout OHWI, tensors NHWC with batch 1. */
export interface Conv2dOpData {
  input: Int8Array;
  filter: Int8Array;
  bias: Int32Array;
  output: Int8Array;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
  /** −input zero point, added to every input value; the output zero point, added after requantization. */
  inputOffset: number;
  outputOffset: number;
  multipliers: Int32Array;
  shifts: Int32Array;
  actMin: number;
  actMax: number;
}

export function prepareConv2d(op: OpIR, ctx: PrepareContext): Conv2dOpData {
  if (op.op !== 'CONV_2D') return invalidOp(op, 'wrong kernel');
  const inIdx = op.inputs[INPUT],
    fIdx = op.inputs[FILTER],
    bIdx = op.inputs[BIAS],
    outIdx = op.outputs[OUTPUT];
  const inT = ctx.tensor(inIdx),
    fT = ctx.tensor(fIdx),
    outT = ctx.tensor(outIdx);
  const [batch, inH, inW, inC] = inT.shape as [number, number, number, number];
  const [outC, kH, kW, fC] = fT.shape as [number, number, number, number];
  if (inT.shape.length !== 4 || fT.shape.length !== 4 || batch !== 1 || fC !== inC)
    invalidOp(op, `input [${inT.shape.join(', ')}] and filter [${fT.shape.join(', ')}] do not fit (batch 1, OHWI)`);
  const o = op.options;
  const h = padding(o.padding, inH, kH, o.strideH, o.dilationH);
  const w = padding(o.padding, inW, kW, o.strideW, o.dilationW);
  expectShape(op, outT, [1, h.out, w.out, outC]);
  expectShape(op, ctx.tensor(bIdx), [outC]);
  const inQ = affine(op, inT),
    outQ = affine(op, outT);
  const filterScales = fT.quant?.scale ?? [];
  if (filterScales.length !== 1 && filterScales.length !== outC)
    invalidOp(op, `filter has ${filterScales.length} scales for ${outC} output channels`);
  const multipliers = new Int32Array(outC),
    shifts = new Int32Array(outC);
  for (let c = 0; c < outC; c++) {
    const fs = Math.fround(filterScales[filterScales.length === 1 ? 0 : c]!);
    const m = quantizeMultiplier((inQ.scale * fs) / outQ.scale);
    multipliers[c] = m.multiplier;
    shifts[c] = m.shift;
  }
  const act = activationRange(o.fusedActivation, outQ.scale, outQ.zeroPoint);
  return {
    input: int8Of(op, ctx, inIdx),
    filter: int8Of(op, ctx, fIdx),
    bias: int32Of(op, ctx, bIdx),
    output: int8Of(op, ctx, outIdx),
    inH,
    inW,
    inC,
    outH: h.out,
    outW: w.out,
    outC,
    kH,
    kW,
    strideH: o.strideH,
    strideW: o.strideW,
    dilationH: o.dilationH,
    dilationW: o.dilationW,
    padTop: h.before,
    padLeft: w.before,
    inputOffset: -inQ.zeroPoint,
    outputOffset: outQ.zeroPoint,
    multipliers,
    shifts,
    actMin: act.min,
    actMax: act.max,
  };
}

/**
 * reference_integer_ops::ConvPerChannel: for each output value, the int32 sum of filter × (input + input offset)
 * over the window's taps inside the image (padding contributes nothing), + bias, requantized with the output
 * channel's multiplier and shift, + output offset, clamped to the fused activation's range.
 */
export function convPerChannel(d: Conv2dOpData): void {
  const { input, filter, bias, output, inH, inW, inC, outH, outW, outC, kH, kW, inputOffset } = d;
  // Accumulator bound: |input + offset| ≤ 255 and |filter| ≤ 127, so each product is within ±32,385 and a window of
  // depth kH·kW·inC up to 66,000 (plus an int32 bias of a real model, far below 2^30) stays inside int32.
  for (let outY = 0; outY < outH; outY++) {
    const inYOrigin = outY * d.strideH - d.padTop;
    for (let outX = 0; outX < outW; outX++) {
      const inXOrigin = outX * d.strideW - d.padLeft;
      for (let outChannel = 0; outChannel < outC; outChannel++) {
        let acc = 0;
        for (let filterY = 0; filterY < kH; filterY++) {
          const inY = inYOrigin + filterY * d.dilationH;
          for (let filterX = 0; filterX < kW; filterX++) {
            const inX = inXOrigin + filterX * d.dilationW;
            if (inY < 0 || inY >= inH || inX < 0 || inX >= inW) continue;
            for (let inChannel = 0; inChannel < inC; inChannel++) {
              const inputValue = input[(inY * inW + inX) * inC + inChannel]!;
              const filterValue = filter[((outChannel * kH + filterY) * kW + filterX) * inC + inChannel]!;
              acc = (acc + Math.imul(filterValue, inputValue + inputOffset)) | 0;
            }
          }
        }
        acc = (acc + bias[outChannel]!) | 0;
        acc = multiplyByQuantizedMultiplier(acc, d.multipliers[outChannel]!, d.shifts[outChannel]!);
        acc = (acc + d.outputOffset) | 0;
        acc = Math.max(acc, d.actMin);
        acc = Math.min(acc, d.actMax);
        output[(outY * outW + outX) * outC + outChannel] = acc;
      }
    }
  }
}

export const conv2d: Kernel<Conv2dOpData> = {
  op: 'CONV_2D',
  path: 'reference',
  prepare: prepareConv2d,
  evaluate: convPerChannel,
};
