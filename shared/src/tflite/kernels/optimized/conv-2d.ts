// CONV_2D, the optimized TypeScript kernel: the same integers as reference_integer_ops::ConvPerChannel (one
// prepare, ../conv-2d.ts), computed faster — one pixel's receptive field gathered once, four output channels
// per pass over it, and two pixels per double multiply where the sums provably stay exact.
import { multiplyByQuantizedMultiplier } from '../../fixed-point.ts';
import { prepareConv2d, type Conv2dOpData } from '../conv-2d.ts';
import type { Kernel } from '../kernel.ts';

interface ConvParams extends Conv2dOpData {
  /** One output pixel's receptive field, zero-point corrected, reused for every pixel; patch2 for the next pixel. */
  patch: Int32Array;
  patch2: Int32Array;
  /** patch + patch2 · 2^27, one double per tap: see PACK_SHIFT. */
  packed: Float64Array;
}

export const conv2dOptimized: Kernel<ConvParams> = {
  op: 'CONV_2D',
  path: 'optimized',
  prepare(op, ctx) {
    const d = prepareConv2d(op, ctx);
    const depth = d.kH * d.kW * d.inC;
    return { ...d, patch: new Int32Array(depth), patch2: new Int32Array(depth), packed: new Float64Array(depth) };
  },
  evaluate(p) {
    const { outH, outW, outC, kH, kW, inC, patch, patch2, packed } = p;
    const depth = kH * kW * inC;
    const pixels = outH * outW;
    // Two output pixels per pass when their sums fit the packed lanes (see PACK_SHIFT), else one.
    const pairs = depth <= PACK_MAX_DEPTH;
    for (let q = 0; q < pixels; q += pairs ? 2 : 1) {
      fillPatch(p, q, patch);
      if (!pairs || q + 1 === pixels) {
        convPixel(p, patch, depth, q * outC);
        continue;
      }
      fillPatch(p, q + 1, patch2);
      for (let k = 0; k < depth; k++) packed[k] = patch[k]! + patch2[k]! * PACK_SCALE;
      convPixelPair(p, packed, depth, q * outC);
    }
  },
};

/** Per-channel requantization + output zero point, clamped to the fused activation's range. */
function requantize(p: ConvParams, oc: number, acc: number): number {
  const v = (multiplyByQuantizedMultiplier(acc, p.multipliers[oc]!, p.shifts[oc]!) + p.outputOffset) | 0;
  return v < p.actMin ? p.actMin : v > p.actMax ? p.actMax : v;
}

// Two pixels in one multiply: with x₀, x₁ the two pixels' patches, Σ (x₀ + x₁·2^27)·w = A + B·2^27 where A and B are
// the two int32 accumulators. |x| ≤ 255 and |w| ≤ 127, so |A|, |B| ≤ depth·32385; below 2^26 (depth ≤ 2072) every
// product and partial sum is an integer under 2^53, exact in a double, and A, B come back exactly. Deeper layers
// (3×3×256 and up) take the one-pixel path.
const PACK_SHIFT = 27;
const PACK_SCALE = 2 ** PACK_SHIFT;
const PACK_INV = 1 / PACK_SCALE;
const PACK_MAX_DEPTH = Math.floor((2 ** 26 - 1) / (255 * 127));

/** The receptive field of output pixel `q` as (x − zero point), zeros where the window hangs over the edge:
 * padded positions then contribute nothing, exactly as the reference kernel skips them. */
function fillPatch(p: ConvParams, q: number, patch: Int32Array): void {
  const { input, inH, inW, inC, kH, kW, inputOffset } = p;
  const oy = Math.floor(q / p.outW),
    ox = q - oy * p.outW;
  const inY0 = oy * p.strideH - p.padTop,
    inX0 = ox * p.strideW - p.padLeft;
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
}

/** One pixel, four output channels per patch load; int32 sums are exact (see PACK_SHIFT for the bound). */
function convPixel(p: ConvParams, patch: Int32Array, depth: number, out: number): void {
  const { filter, bias, output, outC } = p;
  let oc = 0;
  for (; oc + 4 <= outC; oc += 4) {
    const f0 = oc * depth,
      f1 = f0 + depth,
      f2 = f1 + depth,
      f3 = f2 + depth;
    let a0 = 0,
      a1 = 0,
      a2 = 0,
      a3 = 0;
    for (let k = 0; k < depth; k++) {
      const x = patch[k]!;
      a0 = (a0 + Math.imul(x, filter[f0 + k]!)) | 0;
      a1 = (a1 + Math.imul(x, filter[f1 + k]!)) | 0;
      a2 = (a2 + Math.imul(x, filter[f2 + k]!)) | 0;
      a3 = (a3 + Math.imul(x, filter[f3 + k]!)) | 0;
    }
    output[out + oc] = requantize(p, oc, (a0 + bias[oc]!) | 0);
    output[out + oc + 1] = requantize(p, oc + 1, (a1 + bias[oc + 1]!) | 0);
    output[out + oc + 2] = requantize(p, oc + 2, (a2 + bias[oc + 2]!) | 0);
    output[out + oc + 3] = requantize(p, oc + 3, (a3 + bias[oc + 3]!) | 0);
  }
  for (; oc < outC; oc++) {
    const f0 = oc * depth;
    let acc = 0;
    for (let k = 0; k < depth; k++) acc = (acc + Math.imul(patch[k]!, filter[f0 + k]!)) | 0;
    output[out + oc] = requantize(p, oc, (acc + bias[oc]!) | 0);
  }
}

/** Pixels q and q+1 at once from their packed patches; `out` is pixel q's first output. */
function convPixelPair(p: ConvParams, packed: Float64Array, depth: number, out: number): void {
  const { filter, bias, output, outC } = p;
  const out2 = out + outC;
  let oc = 0;
  for (; oc + 4 <= outC; oc += 4) {
    const f0 = oc * depth,
      f1 = f0 + depth,
      f2 = f1 + depth,
      f3 = f2 + depth;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let k = 0; k < depth; k++) {
      const x = packed[k]!;
      s0 += x * filter[f0 + k]!;
      s1 += x * filter[f1 + k]!;
      s2 += x * filter[f2 + k]!;
      s3 += x * filter[f3 + k]!;
    }
    storePair(p, oc, s0, bias[oc]!, output, out, out2);
    storePair(p, oc + 1, s1, bias[oc + 1]!, output, out, out2);
    storePair(p, oc + 2, s2, bias[oc + 2]!, output, out, out2);
    storePair(p, oc + 3, s3, bias[oc + 3]!, output, out, out2);
  }
  for (; oc < outC; oc++) {
    const f0 = oc * depth;
    let s = 0;
    for (let k = 0; k < depth; k++) s += packed[k]! * filter[f0 + k]!;
    storePair(p, oc, s, bias[oc]!, output, out, out2);
  }
}

/** Splits a packed sum into the two pixels' accumulators (exact: |A| < 2^26) and stores both outputs. */
function storePair(
  p: ConvParams,
  oc: number,
  sum: number,
  bias: number,
  output: Int8Array,
  out: number,
  out2: number,
): void {
  const high = Math.round(sum * PACK_INV);
  const low = sum - high * PACK_SCALE;
  output[out + oc] = requantize(p, oc, (low + bias) | 0);
  output[out2 + oc] = requantize(p, oc, (high + bias) | 0);
}
