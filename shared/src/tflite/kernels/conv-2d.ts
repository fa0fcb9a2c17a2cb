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
  /** Σ over input channels of the filter, per (out channel, ky, kx): the input offset's share of each tap. */
  tapSums: Int32Array;
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
    const filter = int8Of(op, ctx, fIdx);
    const tapSums = new Int32Array(outC * kH * kW);
    for (let t = 0; t < tapSums.length; t++) {
      let sum = 0;
      for (let i = t * inC; i < (t + 1) * inC; i++) sum += filter[i]!;
      tapSums[t] = sum;
    }
    return {
      tapSums,
      input: int8Of(op, ctx, inIdx), filter: int8Of(op, ctx, fIdx), bias: int32Of(op, ctx, bIdx), output: int8Of(op, ctx, op.outputs[0]),
      inH, inW, inC, outH: h.out, outW: w.out, outC, kH, kW, strideH: o.strideH, strideW: o.strideW, dilationH: o.dilationH, dilationW: o.dilationW,
      padTop: h.before, padLeft: w.before, inputOffset: -inQ.zeroPoint, outputOffset: outQ.zeroPoint, multipliers, shifts, actMin: act.min, actMax: act.max,
    };
  },
  evaluate(p) {
    const { input, filter, bias, output, inH, inW, inC, outH, outW, outC, kH, kW, inputOffset, tapSums } = p;
    const filterPerOut = kH * kW * inC;
    let outIdx = 0;
    for (let oy = 0; oy < outH; oy++) {
      const inY0 = oy * p.strideH - p.padTop;
      for (let ox = 0; ox < outW; ox++) {
        const inX0 = ox * p.strideW - p.padLeft;
        for (let oc = 0; oc < outC; oc++) {
          let acc = 0;
          const fBase = oc * filterPerOut;
          for (let ky = 0; ky < kH; ky++) {
            const iy = inY0 + ky * p.dilationH;
            if (iy < 0 || iy >= inH) continue;
            for (let kx = 0; kx < kW; kx++) {
              const ix = inX0 + kx * p.dilationW;
              if (ix < 0 || ix >= inW) continue;
              let i = (iy * inW + ix) * inC;
              let f = fBase + (ky * kW + kx) * inC;
              const end = i + inC;
              // Σ (x + offset)·w = Σ x·w + offset·Σ w: the offset is added once per tap, not per channel.
              acc = (acc + Math.imul(inputOffset, tapSums[(oc * kH + ky) * kW + kx]!)) | 0;
              for (; i < end; i++, f++) acc = (acc + Math.imul(input[i]!, filter[f]!)) | 0;
            }
          }
          acc = (acc + bias[oc]!) | 0;
          acc = (multiplyByQuantizedMultiplier(acc, p.multipliers[oc]!, p.shifts[oc]!) + p.outputOffset) | 0;
          output[outIdx++] = acc < p.actMin ? p.actMin : acc > p.actMax ? p.actMax : acc;
        }
      }
    }
  },
};
