// CONV_2D, int8 per-channel, in WebAssembly SIMD (AssemblyScript; `npm run build:wasm -w shared` builds the
// committed conv.wasm). The same arithmetic as shared/src/tflite/kernels/conv-2d.ts — TFLite's reference
// ConvPerChannel — so its outputs equal the TypeScript path's bit for bit: the receptive field as int16
// (x − zero point), eight products per i32x4.dot_i16x8_s against int8 filter rows widened on load, int32 sums,
// then MultiplyByQuantizedMultiplier with 64-bit SaturatingRoundingDoublingHighMul, output offset, clamp.
// The host (shared/src/tflite/wasm-conv.ts) lays out memory and writes one parameter block per convolution.

// Parameter block: 26 consecutive i32.
const IN_H = 0, IN_W = 4, IN_C = 8, OUT_H = 12, OUT_W = 16, OUT_C = 20, K_H = 24, K_W = 28, STRIDE_H = 32, STRIDE_W = 36;
const DIL_H = 40, DIL_W = 44, PAD_TOP = 48, PAD_LEFT = 52, IN_OFFSET = 56, OUT_OFFSET = 60, ACT_MIN = 64, ACT_MAX = 68;
const DEPTH8 = 72, FILTER = 76, BIAS = 80, MULT = 84, SHIFT = 88, INPUT = 92, OUTPUT = 96, PATCH = 100;

export function conv(p: usize): void {
  const inH = load<i32>(p, IN_H), inW = load<i32>(p, IN_W), inC = load<i32>(p, IN_C);
  const outH = load<i32>(p, OUT_H), outW = load<i32>(p, OUT_W), outC = load<i32>(p, OUT_C);
  const kH = load<i32>(p, K_H), kW = load<i32>(p, K_W), strideH = load<i32>(p, STRIDE_H), strideW = load<i32>(p, STRIDE_W);
  const dilH = load<i32>(p, DIL_H), dilW = load<i32>(p, DIL_W), padTop = load<i32>(p, PAD_TOP), padLeft = load<i32>(p, PAD_LEFT);
  const inOffset = load<i32>(p, IN_OFFSET), depth8 = load<i32>(p, DEPTH8);
  const input = <usize>load<i32>(p, INPUT), patch = <usize>load<i32>(p, PATCH);
  let out = <usize>load<i32>(p, OUTPUT);
  for (let oy = 0; oy < outH; oy++) {
    const iy0 = oy * strideH - padTop;
    for (let ox = 0; ox < outW; ox++) {
      const ix0 = ox * strideW - padLeft;
      // Window positions off the edge contribute nothing: zeros. The filter rows' padding to 8 is zero too,
      // so whatever lies in the patch beyond the depth multiplies by 0.
      let j = patch;
      for (let ky = 0; ky < kH; ky++) {
        const iy = iy0 + ky * dilH;
        for (let kx = 0; kx < kW; kx++) {
          const ix = ix0 + kx * dilW;
          if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) {
            memory.fill(j, 0, <usize>(inC << 1));
          } else {
            const src = input + <usize>((iy * inW + ix) * inC);
            for (let c = 0; c < inC; c++) store<i16>(j + (<usize>c << 1), <i16>(<i32>load<i8>(src + <usize>c) + inOffset));
          }
          j += <usize>(inC << 1);
        }
      }
      pixel(p, patch, depth8, outC, out);
      out += <usize>outC;
    }
  }
}

/** One output pixel: four channels per pass over the patch, then requantization. */
function pixel(p: usize, patch: usize, depth8: i32, outC: i32, out: usize): void {
  const filter = <usize>load<i32>(p, FILTER);
  let oc = 0;
  for (; oc + 4 <= outC; oc += 4) {
    const f0 = filter + <usize>(oc * depth8);
    const f1 = f0 + <usize>depth8;
    const f2 = f1 + <usize>depth8;
    const f3 = f2 + <usize>depth8;
    let s0 = i32x4.splat(0);
    let s1 = i32x4.splat(0);
    let s2 = i32x4.splat(0);
    let s3 = i32x4.splat(0);
    for (let k = 0; k < depth8; k += 8) {
      const x = v128.load(patch + (<usize>k << 1));
      const o = <usize>k;
      s0 = i32x4.add(s0, i32x4.dot_i16x8_s(x, v128.load8x8_s(f0 + o)));
      s1 = i32x4.add(s1, i32x4.dot_i16x8_s(x, v128.load8x8_s(f1 + o)));
      s2 = i32x4.add(s2, i32x4.dot_i16x8_s(x, v128.load8x8_s(f2 + o)));
      s3 = i32x4.add(s3, i32x4.dot_i16x8_s(x, v128.load8x8_s(f3 + o)));
    }
    store<i8>(out + <usize>oc, requantize(p, oc, horizontal(s0)));
    store<i8>(out + <usize>oc, requantize(p, oc + 1, horizontal(s1)), 1);
    store<i8>(out + <usize>oc, requantize(p, oc + 2, horizontal(s2)), 2);
    store<i8>(out + <usize>oc, requantize(p, oc + 3, horizontal(s3)), 3);
  }
  for (; oc < outC; oc++) {
    const f = filter + <usize>(oc * depth8);
    let s = i32x4.splat(0);
    for (let k = 0; k < depth8; k += 8) {
      s = i32x4.add(s, i32x4.dot_i16x8_s(v128.load(patch + (<usize>k << 1)), v128.load8x8_s(f + <usize>k)));
    }
    store<i8>(out + <usize>oc, requantize(p, oc, horizontal(s)));
  }
}

@inline
function horizontal(s: v128): i32 {
  return i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1) + i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3);
}

@inline
function requantize(p: usize, oc: i32, acc: i32): i8 {
  const at = <usize>(oc << 2);
  const sum = acc + load<i32>(<usize>load<i32>(p, BIAS) + at);
  const v = multiplyByQuantizedMultiplier(sum, load<i32>(<usize>load<i32>(p, MULT) + at), load<i32>(<usize>load<i32>(p, SHIFT) + at)) + load<i32>(p, OUT_OFFSET);
  const lo = load<i32>(p, ACT_MIN), hi = load<i32>(p, ACT_MAX);
  return <i8>(v < lo ? lo : v > hi ? hi : v);
}

// gemmlowp / TFLite fixed point (common.h), as shared/src/tflite/fixed-point.ts computes it.
@inline
function saturatingRoundingDoublingHighMul(a: i32, b: i32): i32 {
  if (a == i32.MIN_VALUE && b == i32.MIN_VALUE) return i32.MAX_VALUE;
  const ab = <i64>a * <i64>b;
  const nudge: i64 = ab >= 0 ? 1 << 30 : 1 - (1 << 30);
  return <i32>((ab + nudge) / (<i64>1 << 31)); // i64 division truncates toward zero, like C++
}

@inline
function roundingDivideByPOT(x: i32, exponent: i32): i32 {
  const mask = (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

@inline
function multiplyByQuantizedMultiplier(x: i32, multiplier: i32, shift: i32): i32 {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x << left, multiplier), right);
}
