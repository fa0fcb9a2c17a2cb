// CONV_2D, int8 with per-channel filter scales (reference_integer_ops::ConvPerChannel): int32 accumulation
// of filter × (input − input zero point) over the valid window, + bias, per-channel requantization,
// + output zero point, clamp to the fused activation's range. Padded positions contribute nothing.
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../fixed-point.ts';
import { activationRange, affine, expectShape, int32Of, int8Of, invalidOp, padding, type Kernel } from './kernel.ts';

interface ConvParams {
  input: Int8Array; filter: Int8Array; bias: Int32Array; output: Int8Array;
  inH: number; inW: number; inC: number; outH: number; outW: number; outC: number; kH: number; kW: number;
  strideH: number; strideW: number; dilationH: number; dilationW: number; padTop: number; padLeft: number;
  inputOffset: number; outputOffset: number; multipliers: Int32Array; shifts: Int32Array; actMin: number; actMax: number;
  /** One output pixel's receptive field, zero-point corrected, reused for every pixel. */
  patch: Int32Array;
}

export const conv2d: Kernel<ConvParams> = {
  op: 'CONV_2D',
  prepare(op, ctx) {
    if (op.op !== 'CONV_2D') return invalidOp(op, 'wrong kernel');
    const [inIdx, fIdx, bIdx] = op.inputs;
    const inT = ctx.tensor(inIdx), fT = ctx.tensor(fIdx), outT = ctx.tensor(op.outputs[0]);
    const [batch, inH, inW, inC] = inT.shape as [number, number, number, number];
    const [outC, kH, kW, fC] = fT.shape as [number, number, number, number];
    if (inT.shape.length !== 4 || fT.shape.length !== 4 || batch !== 1 || fC !== inC) invalidOp(op, `input [${inT.shape.join(', ')}] and filter [${fT.shape.join(', ')}] do not fit (batch 1, OHWI)`);
    const o = op.options;
    const h = padding(o.padding, inH, kH, o.strideH, o.dilationH);
    const w = padding(o.padding, inW, kW, o.strideW, o.dilationW);
    expectShape(op, outT, [1, h.out, w.out, outC]);
    expectShape(op, ctx.tensor(bIdx), [outC]);
    const inQ = affine(op, inT), outQ = affine(op, outT);
    const filterScales = fT.quant?.scale ?? [];
    if (filterScales.length !== 1 && filterScales.length !== outC) invalidOp(op, `filter has ${filterScales.length} scales for ${outC} output channels`);
    const multipliers = new Int32Array(outC), shifts = new Int32Array(outC);
    for (let c = 0; c < outC; c++) {
      const fs = Math.fround(filterScales[filterScales.length === 1 ? 0 : c]!);
      const m = quantizeMultiplier((inQ.scale * fs) / outQ.scale);
      multipliers[c] = m.multiplier;
      shifts[c] = m.shift;
    }
    const act = activationRange(o.fusedActivation, outQ.scale, outQ.zeroPoint);
    return {
      patch: new Int32Array(kH * kW * inC),
      input: int8Of(op, ctx, inIdx), filter: int8Of(op, ctx, fIdx), bias: int32Of(op, ctx, bIdx), output: int8Of(op, ctx, op.outputs[0]),
      inH, inW, inC, outH: h.out, outW: w.out, outC, kH, kW, strideH: o.strideH, strideW: o.strideW, dilationH: o.dilationH, dilationW: o.dilationW,
      padTop: h.before, padLeft: w.before, inputOffset: -inQ.zeroPoint, outputOffset: outQ.zeroPoint, multipliers, shifts, actMin: act.min, actMax: act.max,
    };
  },
  evaluate(p) {
    const { input, filter, bias, output, inH, inW, inC, outH, outW, outC, kH, kW, inputOffset, patch } = p;
    const depth = kH * kW * inC;
    // Four output channels share each patch load; the tail (outC not a multiple of 4) goes one at a time.
    const outC4 = outC - (outC % 4);
    let outIdx = 0;
    for (let oy = 0; oy < outH; oy++) {
      const inY0 = oy * p.strideH - p.padTop;
      for (let ox = 0; ox < outW; ox++) {
        const inX0 = ox * p.strideW - p.padLeft;
        // The receptive field as (x − zero point), with zeros where the window hangs over the edge: padded
        // positions then contribute nothing, exactly as the reference kernel skips them.
        let j = 0;
        for (let ky = 0; ky < kH; ky++) {
          const iy = inY0 + ky * p.dilationH;
          for (let kx = 0; kx < kW; kx++) {
            const ix = inX0 + kx * p.dilationW;
            if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) {
              patch.fill(0, j, j + inC);
              j += inC;
              continue;
            }
            for (let i = (iy * inW + ix) * inC, end = i + inC; i < end; i++) patch[j++] = input[i]! + inputOffset;
          }
        }
        // |x − zp| ≤ 255 and |w| ≤ 127, so no partial sum of a real layer leaves int32: plain int adds are exact.
        let oc = 0;
        for (; oc < outC4; oc += 4) {
          const f0 = oc * depth, f1 = f0 + depth, f2 = f1 + depth, f3 = f2 + depth;
          let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
          for (let k = 0; k < depth; k++) {
            const x = patch[k]!;
            a0 = (a0 + Math.imul(x, filter[f0 + k]!)) | 0;
            a1 = (a1 + Math.imul(x, filter[f1 + k]!)) | 0;
            a2 = (a2 + Math.imul(x, filter[f2 + k]!)) | 0;
            a3 = (a3 + Math.imul(x, filter[f3 + k]!)) | 0;
          }
          output[outIdx++] = requantize(p, oc, (a0 + bias[oc]!) | 0);
          output[outIdx++] = requantize(p, oc + 1, (a1 + bias[oc + 1]!) | 0);
          output[outIdx++] = requantize(p, oc + 2, (a2 + bias[oc + 2]!) | 0);
          output[outIdx++] = requantize(p, oc + 3, (a3 + bias[oc + 3]!) | 0);
        }
        for (; oc < outC; oc++) {
          const f0 = oc * depth;
          let acc = 0;
          for (let k = 0; k < depth; k++) acc = (acc + Math.imul(patch[k]!, filter[f0 + k]!)) | 0;
          output[outIdx++] = requantize(p, oc, (acc + bias[oc]!) | 0);
        }
      }
    }
  },
};

/** Per-channel requantization + output zero point, clamped to the fused activation's range. */
function requantize(p: ConvParams, oc: number, acc: number): number {
  const v = (multiplyByQuantizedMultiplier(acc, p.multipliers[oc]!, p.shifts[oc]!) + p.outputOffset) | 0;
  return v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
}
