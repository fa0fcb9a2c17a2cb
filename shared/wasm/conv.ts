// CONV_2D, int8 per-channel, in WebAssembly SIMD (AssemblyScript; `npm run build:wasm -w shared` builds the
// committed conv.wasm). The same arithmetic as the reference kernel shared/src/tflite/kernels/conv-2d.ts — TFLite's
// ConvPerChannel — so its outputs equal the TypeScript path's bit for bit: the receptive field as int16
// (x − zero point), eight products per i32x4.dot_i16x8_s against int8 filter rows widened on load, int32 sums,
// then MultiplyByQuantizedMultiplier with 64-bit SaturatingRoundingDoublingHighMul, output offset, clamp.
// The host (shared/src/tflite/kernels/wasm/*.ts, memory from wasm-arena.ts) writes one parameter block per op.

// Parameter block: 28 consecutive i32. LANES: the address of the per-channel requantization vectors (below), or 0
// where the host found a channel they do not cover exactly (then every channel takes the scalar requantize).
// WIDE_W: 0, or the width of the widened input (convWidened) that PATCH then points to.
const IN_H = 0, IN_W = 4, IN_C = 8, OUT_H = 12, OUT_W = 16, OUT_C = 20, K_H = 24, K_W = 28, STRIDE_H = 32, STRIDE_W = 36;
const DIL_H = 40, DIL_W = 44, PAD_TOP = 48, PAD_LEFT = 52, IN_OFFSET = 56, OUT_OFFSET = 60, ACT_MIN = 64, ACT_MAX = 68;
const DEPTH8 = 72, FILTER = 76, BIAS = 80, MULT = 84, SHIFT = 88, INPUT = 92, OUTPUT = 96, PATCH = 100, LANES = 104, WIDE_W = 108;

// The requantization vectors: eight arrays of OUT_C i32, one after the other, read four channels at a time.
// For channel c with shift s, left = max(s, 0) and r = max(−s, 0): bias, 2^left, the multiplier, then what
// RoundingDivideByPOT needs without a per-lane shift (WebAssembly has none): 2^(32−r) as u32, 2^(31−r), the mask
// 2^r − 1, mask >> 1, and −1 where r = 0 (all four 0 there). shared/src/tflite/kernels/wasm/conv-2d.ts writes them.
const L_BIAS: usize = 0, L_LEFT: usize = 1, L_MULT: usize = 2, L_FLOOR_MUL: usize = 3, L_FLOOR_BIAS: usize = 4;
const L_MASK: usize = 5, L_HALF: usize = 6, L_R_ZERO: usize = 7;

export function conv(p: usize): void {
  const wideW = load<i32>(p, WIDE_W);
  if (wideW != 0) {
    convWidened(p, wideW);
    return;
  }
  const outH = load<i32>(p, OUT_H), outW = load<i32>(p, OUT_W), outC = load<i32>(p, OUT_C), depth8 = load<i32>(p, DEPTH8);
  const patch = <usize>load<i32>(p, PATCH), patch2 = patch + (<usize>depth8 << 1);
  const pixels = outH * outW;
  let out = <usize>load<i32>(p, OUTPUT);
  // Two output pixels per pass: each filter row loaded serves both.
  let q = 0;
  for (; q + 2 <= pixels; q += 2) {
    fillPatch(p, q, patch);
    fillPatch(p, q + 1, patch2);
    pixelPair(p, patch, patch2, depth8, outC, out);
    out += <usize>(outC << 1);
  }
  if (q < pixels) {
    fillPatch(p, q, patch);
    pixel(p, patch, depth8, outC, out);
  }
}

/**
 * Dilation 1 and inC a multiple of 8: the input is widened once into a zero-bordered int16 copy ((x − zero point),
 * as fillPatch writes it) whose rows are as wide as the windows reach, so each window row is kW·inC contiguous
 * int16 that the dot products read in place — no patch per pixel. The filter rows need no padding then
 * (depth = kH·kW·inC is a multiple of 8), so window row ky meets filter taps ky·kW·inC onwards.
 */
function convWidened(p: usize, wideW: i32): void {
  const inH = load<i32>(p, IN_H), inW = load<i32>(p, IN_W), inC = load<i32>(p, IN_C);
  const outH = load<i32>(p, OUT_H), outW = load<i32>(p, OUT_W), outC = load<i32>(p, OUT_C);
  const kH = load<i32>(p, K_H), kW = load<i32>(p, K_W), sH = load<i32>(p, STRIDE_H), sW = load<i32>(p, STRIDE_W);
  const padTop = load<i32>(p, PAD_TOP), padLeft = load<i32>(p, PAD_LEFT), depth8 = load<i32>(p, DEPTH8);
  const input = <usize>load<i32>(p, INPUT), wide = <usize>load<i32>(p, PATCH);
  const wideH = (outH - 1) * sH + kH;
  const rowStride = <usize>(wideW * inC) << 1;
  memory.fill(wide, 0, <usize>wideH * rowStride);
  const offset16 = i16x8.splat(<i16>load<i32>(p, IN_OFFSET));
  // A VALID window may stop short of the last rows or columns: those are never read, so not copied.
  const copied = min(inW, wideW - padLeft) * inC;
  for (let y = 0; y < inH && y + padTop < wideH; y++) {
    const src = input + <usize>(y * inW * inC), dst = wide + <usize>(y + padTop) * rowStride + (<usize>(padLeft * inC) << 1);
    for (let c = 0; c < copied; c += 8) v128.store(dst + (<usize>c << 1), i16x8.add(v128.load8x8_s(src + <usize>c), offset16));
  }
  const pixels = outH * outW, rowLength = kW * inC;
  let out = <usize>load<i32>(p, OUTPUT);
  let oy = 0, ox = 0;
  let q = 0;
  for (; q + 2 <= pixels; q += 2) {
    const a = wide + <usize>(oy * sH) * rowStride + (<usize>(ox * sW * inC) << 1);
    if (++ox == outW) { ox = 0; oy++; }
    const b = wide + <usize>(oy * sH) * rowStride + (<usize>(ox * sW * inC) << 1);
    if (++ox == outW) { ox = 0; oy++; }
    widePair(p, a, b, rowStride, kH, rowLength, depth8, outC, out);
    out += <usize>(outC << 1);
  }
  if (q < pixels) widePixel(p, wide + <usize>(oy * sH) * rowStride + (<usize>(ox * sW * inC) << 1), rowStride, kH, rowLength, depth8, outC, out);
}

/** pixelPair over two windows of the widened input: kH rows of rowLength int16 each, rowStride bytes apart. */
function widePair(p: usize, a: usize, b: usize, rowStride: usize, kH: i32, rowLength: i32, depth8: i32, outC: i32, out: usize): void {
  const filter = <usize>load<i32>(p, FILTER), lanes = <usize>load<i32>(p, LANES);
  const outB = out + <usize>outC;
  let oc = 0;
  for (; oc + 4 <= outC; oc += 4) {
    const f0 = filter + <usize>(oc * depth8);
    const f1 = f0 + <usize>depth8;
    const f2 = f1 + <usize>depth8;
    const f3 = f2 + <usize>depth8;
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
    let b0 = i32x4.splat(0), b1 = i32x4.splat(0), b2 = i32x4.splat(0), b3 = i32x4.splat(0);
    let xa = a, xb = b, tap: usize = 0;
    for (let ky = 0; ky < kH; ky++) {
      for (let k = 0; k < rowLength; k += 8) {
        const o = <usize>k, f = tap + o;
        const va = v128.load(xa + (o << 1));
        const vb = v128.load(xb + (o << 1));
        const w0 = v128.load8x8_s(f0 + f), w1 = v128.load8x8_s(f1 + f), w2 = v128.load8x8_s(f2 + f), w3 = v128.load8x8_s(f3 + f);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(va, w0));
        b0 = i32x4.add(b0, i32x4.dot_i16x8_s(vb, w0));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(va, w1));
        b1 = i32x4.add(b1, i32x4.dot_i16x8_s(vb, w1));
        a2 = i32x4.add(a2, i32x4.dot_i16x8_s(va, w2));
        b2 = i32x4.add(b2, i32x4.dot_i16x8_s(vb, w2));
        a3 = i32x4.add(a3, i32x4.dot_i16x8_s(va, w3));
        b3 = i32x4.add(b3, i32x4.dot_i16x8_s(vb, w3));
      }
      xa += rowStride;
      xb += rowStride;
      tap += <usize>rowLength;
    }
    storeFour(p, lanes, outC, oc, a0, a1, a2, a3, out + <usize>oc);
    storeFour(p, lanes, outC, oc, b0, b1, b2, b3, outB + <usize>oc);
  }
  for (; oc < outC; oc++) {
    const f = filter + <usize>(oc * depth8);
    let sa = i32x4.splat(0), sb = i32x4.splat(0);
    let xa = a, xb = b, tap: usize = 0;
    for (let ky = 0; ky < kH; ky++) {
      for (let k = 0; k < rowLength; k += 8) {
        const w = v128.load8x8_s(f + tap + <usize>k);
        sa = i32x4.add(sa, i32x4.dot_i16x8_s(v128.load(xa + (<usize>k << 1)), w));
        sb = i32x4.add(sb, i32x4.dot_i16x8_s(v128.load(xb + (<usize>k << 1)), w));
      }
      xa += rowStride;
      xb += rowStride;
      tap += <usize>rowLength;
    }
    store<i8>(out + <usize>oc, requantize(p, oc, horizontal(sa)));
    store<i8>(outB + <usize>oc, requantize(p, oc, horizontal(sb)));
  }
}

/** One window of the widened input (the last of an odd pixel count). */
function widePixel(p: usize, a: usize, rowStride: usize, kH: i32, rowLength: i32, depth8: i32, outC: i32, out: usize): void {
  const filter = <usize>load<i32>(p, FILTER), lanes = <usize>load<i32>(p, LANES);
  let oc = 0;
  for (; oc + 4 <= outC; oc += 4) {
    const f0 = filter + <usize>(oc * depth8);
    const f1 = f0 + <usize>depth8;
    const f2 = f1 + <usize>depth8;
    const f3 = f2 + <usize>depth8;
    let s0 = i32x4.splat(0), s1 = i32x4.splat(0), s2 = i32x4.splat(0), s3 = i32x4.splat(0);
    let xa = a, tap: usize = 0;
    for (let ky = 0; ky < kH; ky++) {
      for (let k = 0; k < rowLength; k += 8) {
        const o = <usize>k, f = tap + o;
        const x = v128.load(xa + (o << 1));
        s0 = i32x4.add(s0, i32x4.dot_i16x8_s(x, v128.load8x8_s(f0 + f)));
        s1 = i32x4.add(s1, i32x4.dot_i16x8_s(x, v128.load8x8_s(f1 + f)));
        s2 = i32x4.add(s2, i32x4.dot_i16x8_s(x, v128.load8x8_s(f2 + f)));
        s3 = i32x4.add(s3, i32x4.dot_i16x8_s(x, v128.load8x8_s(f3 + f)));
      }
      xa += rowStride;
      tap += <usize>rowLength;
    }
    storeFour(p, lanes, outC, oc, s0, s1, s2, s3, out + <usize>oc);
  }
  for (; oc < outC; oc++) {
    const f = filter + <usize>(oc * depth8);
    let s = i32x4.splat(0);
    let xa = a, tap: usize = 0;
    for (let ky = 0; ky < kH; ky++) {
      for (let k = 0; k < rowLength; k += 8) {
        s = i32x4.add(s, i32x4.dot_i16x8_s(v128.load(xa + (<usize>k << 1)), v128.load8x8_s(f + tap + <usize>k)));
      }
      xa += rowStride;
      tap += <usize>rowLength;
    }
    store<i8>(out + <usize>oc, requantize(p, oc, horizontal(s)));
  }
}

/** Pixel q's receptive field as int16 (x − zero point). Window positions off the edge contribute nothing: zeros.
 * The filter rows' padding to 8 is zero too, so whatever lies in the patch beyond the depth multiplies by 0. */
function fillPatch(p: usize, q: i32, patch: usize): void {
  const inH = load<i32>(p, IN_H), inW = load<i32>(p, IN_W), inC = load<i32>(p, IN_C), outW = load<i32>(p, OUT_W);
  const kH = load<i32>(p, K_H), kW = load<i32>(p, K_W), dilH = load<i32>(p, DIL_H), dilW = load<i32>(p, DIL_W);
  const inOffset = load<i32>(p, IN_OFFSET), input = <usize>load<i32>(p, INPUT);
  const oy = q / outW, ox = q - oy * outW;
  const iy0 = oy * load<i32>(p, STRIDE_H) - load<i32>(p, PAD_TOP), ix0 = ox * load<i32>(p, STRIDE_W) - load<i32>(p, PAD_LEFT);
  const offset16 = i16x8.splat(<i16>inOffset);
  const vectorFill = (inC & 7) == 0;
  let j = patch;
  // A window row wholly inside the image (dilation 1) is kW·inC contiguous bytes of NHWC input: widen it eight
  // at a time. Otherwise tap by tap, zeros for taps off the edge.
  const rowInside = dilW == 1 && ix0 >= 0 && ix0 + kW <= inW;
  const rowLength = kW * inC;
  for (let ky = 0; ky < kH; ky++) {
    const iy = iy0 + ky * dilH;
    if (vectorFill && (iy < 0 || iy >= inH)) {
      // A window row wholly above or below the image: zeros, sixteen bytes at a time (memory.fill is a call).
      const end = j + <usize>(rowLength << 1);
      for (; j < end; j += 16) v128.store(j, i32x4.splat(0));
      continue;
    }
    if (rowInside && iy >= 0 && iy < inH) {
      const src = input + <usize>((iy * inW + ix0) * inC);
      let c = 0;
      for (; c + 8 <= rowLength; c += 8) v128.store(j + (<usize>c << 1), i16x8.add(v128.load8x8_s(src + <usize>c), offset16));
      for (; c < rowLength; c++) store<i16>(j + (<usize>c << 1), <i16>(<i32>load<i8>(src + <usize>c) + inOffset));
      j += <usize>(rowLength << 1);
      continue;
    }
    for (let kx = 0; kx < kW; kx++) {
      const ix = ix0 + kx * dilW;
      if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) {
        if (vectorFill) for (let c = 0; c < inC; c += 8) v128.store(j + (<usize>c << 1), i32x4.splat(0));
        else memory.fill(j, 0, <usize>(inC << 1));
      } else {
        const src = input + <usize>((iy * inW + ix) * inC);
        if (vectorFill) {
          // |x − zero point| ≤ 255: the int16 sum cannot overflow.
          for (let c = 0; c < inC; c += 8) v128.store(j + (<usize>c << 1), i16x8.add(v128.load8x8_s(src + <usize>c), offset16));
        } else {
          for (let c = 0; c < inC; c++) store<i16>(j + (<usize>c << 1), <i16>(<i32>load<i8>(src + <usize>c) + inOffset));
        }
      }
      j += <usize>(inC << 1);
    }
  }
}

/** Two output pixels, four channels per pass over the patches, then requantization. */
function pixelPair(p: usize, patchA: usize, patchB: usize, depth8: i32, outC: i32, out: usize): void {
  const filter = <usize>load<i32>(p, FILTER), lanes = <usize>load<i32>(p, LANES);
  const outB = out + <usize>outC;
  let oc = 0;
  for (; oc + 4 <= outC; oc += 4) {
    const f0 = filter + <usize>(oc * depth8);
    const f1 = f0 + <usize>depth8;
    const f2 = f1 + <usize>depth8;
    const f3 = f2 + <usize>depth8;
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
    let b0 = i32x4.splat(0), b1 = i32x4.splat(0), b2 = i32x4.splat(0), b3 = i32x4.splat(0);
    for (let k = 0; k < depth8; k += 8) {
      const o = <usize>k;
      const xa = v128.load(patchA + (o << 1));
      const xb = v128.load(patchB + (o << 1));
      const w0 = v128.load8x8_s(f0 + o), w1 = v128.load8x8_s(f1 + o), w2 = v128.load8x8_s(f2 + o), w3 = v128.load8x8_s(f3 + o);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(xa, w0));
      b0 = i32x4.add(b0, i32x4.dot_i16x8_s(xb, w0));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(xa, w1));
      b1 = i32x4.add(b1, i32x4.dot_i16x8_s(xb, w1));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(xa, w2));
      b2 = i32x4.add(b2, i32x4.dot_i16x8_s(xb, w2));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(xa, w3));
      b3 = i32x4.add(b3, i32x4.dot_i16x8_s(xb, w3));
    }
    storeFour(p, lanes, outC, oc, a0, a1, a2, a3, out + <usize>oc);
    storeFour(p, lanes, outC, oc, b0, b1, b2, b3, outB + <usize>oc);
  }
  for (; oc < outC; oc++) {
    const f = filter + <usize>(oc * depth8);
    let a = i32x4.splat(0), b = i32x4.splat(0);
    for (let k = 0; k < depth8; k += 8) {
      const w = v128.load8x8_s(f + <usize>k);
      a = i32x4.add(a, i32x4.dot_i16x8_s(v128.load(patchA + (<usize>k << 1)), w));
      b = i32x4.add(b, i32x4.dot_i16x8_s(v128.load(patchB + (<usize>k << 1)), w));
    }
    store<i8>(out + <usize>oc, requantize(p, oc, horizontal(a)));
    store<i8>(outB + <usize>oc, requantize(p, oc, horizontal(b)));
  }
}

/** One output pixel (the last of an odd count): four channels per pass over the patch, then requantization. */
function pixel(p: usize, patch: usize, depth8: i32, outC: i32, out: usize): void {
  const filter = <usize>load<i32>(p, FILTER), lanes = <usize>load<i32>(p, LANES);
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
    storeFour(p, lanes, outC, oc, s0, s1, s2, s3, out + <usize>oc);
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

/**
 * Output channels oc … oc + 3 of one pixel from their four accumulators: four lanes at once where the host set
 * LANES (the multipliers and shifts requantize4 handles exactly), else one channel at a time.
 */
@inline
function storeFour(p: usize, lanes: usize, outC: i32, oc: i32, s0: v128, s1: v128, s2: v128, s3: v128, out: usize): void {
  if (lanes != 0) {
    requantize4(p, lanes, outC, oc, sum4(s0, s1, s2, s3), out);
    return;
  }
  store<i8>(out, requantize(p, oc, horizontal(s0)));
  store<i8>(out, requantize(p, oc + 1, horizontal(s1)), 1);
  store<i8>(out, requantize(p, oc + 2, horizontal(s2)), 2);
  store<i8>(out, requantize(p, oc + 3, horizontal(s3)), 3);
}

/** Four accumulators → the vector of their four sums, by a transposing reduction (6 shuffles, 3 adds). */
@inline
function sum4(s0: v128, s1: v128, s2: v128, s3: v128): v128 {
  const u0 = i32x4.add(i32x4.shuffle(s0, s1, 0, 4, 2, 6), i32x4.shuffle(s0, s1, 1, 5, 3, 7));
  const u1 = i32x4.add(i32x4.shuffle(s2, s3, 0, 4, 2, 6), i32x4.shuffle(s2, s3, 1, 5, 3, 7));
  return i32x4.add(i32x4.shuffle(u0, u1, 0, 1, 4, 5), i32x4.shuffle(u0, u1, 2, 3, 6, 7));
}

/**
 * requantize() for channels oc … oc + 3 at once, bit for bit:
 * - SaturatingRoundingDoublingHighMul(x, m) is ⌊(x·m + 2^30) / 2^31⌋: TFLite's nudge (2^30, or 1 − 2^30 when
 *   x·m < 0) followed by a division truncating toward zero comes to that in both signs; only x = m = INT32_MIN
 *   saturates, and the host leaves LANES at 0 when a multiplier is INT32_MIN. The quotient fits in 32 bits, so
 *   a logical 64-bit shift gives its low half as exactly as an arithmetic one.
 * - x >> r per lane, r ≥ 1: with u = x + 2^31 as u32, ⌊x / 2^r⌋ = ⌊u · 2^(32−r) / 2^32⌋ − 2^(31−r), the high
 *   halves of an unsigned widening multiply; r = 0 lanes keep x.
 */
@inline
function requantize4(p: usize, lanes: usize, outC: i32, oc: i32, acc: v128, out: usize): void {
  const stride = <usize>(outC << 2), at = lanes + <usize>(oc << 2);
  const x = i32x4.mul(i32x4.add(acc, v128.load(at + L_BIAS * stride)), v128.load(at + L_LEFT * stride));
  const m = v128.load(at + L_MULT * stride);
  const half31 = i64x2.splat(1 << 30);
  const lo = i64x2.shr_u(i64x2.add(i64x2.extmul_low_i32x4_s(x, m), half31), 31);
  const hi = i64x2.shr_u(i64x2.add(i64x2.extmul_high_i32x4_s(x, m), half31), 31);
  const y = i32x4.shuffle(lo, hi, 0, 2, 4, 6);
  const u = v128.xor(y, i32x4.splat(i32.MIN_VALUE));
  const floorMul = v128.load(at + L_FLOOR_MUL * stride);
  const flo = i64x2.extmul_low_i32x4_u(u, floorMul), fhi = i64x2.extmul_high_i32x4_u(u, floorMul);
  const shifted = i32x4.sub(i32x4.shuffle(flo, fhi, 1, 3, 5, 7), v128.load(at + L_FLOOR_BIAS * stride));
  const q = v128.bitselect(y, shifted, v128.load(at + L_R_ZERO * stride));
  const remainder = v128.and(y, v128.load(at + L_MASK * stride));
  const threshold = i32x4.sub(v128.load(at + L_HALF * stride), i32x4.shr_s(y, 31));
  const rounded = i32x4.sub(q, i32x4.gt_s(remainder, threshold));
  const v = i32x4.add(rounded, i32x4.splat(load<i32>(p, OUT_OFFSET)));
  const clamped = i32x4.min_s(i32x4.max_s(v, i32x4.splat(load<i32>(p, ACT_MIN))), i32x4.splat(load<i32>(p, ACT_MAX)));
  // Already in [−128, 127]: the saturating narrows only repack.
  const narrow = i16x8.narrow_i32x4_s(clamped, clamped);
  v128.store32_lane(out, i8x16.narrow_i16x8_s(narrow, narrow), 0);
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
  const n = ab + (ab >= 0 ? <i64>(1 << 30) : <i64>(1 - (1 << 30)));
  // C++'s division by 2^31 truncates toward zero: an arithmetic shift after biasing negatives by 2^31 − 1
  // (a 64-bit divide would cost tens of cycles per output).
  return <i32>((n + (n < 0 ? <i64>0x7fffffff : <i64>0)) >> 31);
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

// MAX_POOL_2D, int8 (reference_integer_ops::MaxPool): sixteen channels per i8x16.max_s.
// Parameter block: 15 consecutive i32.
const P_IN_H = 0, P_IN_W = 4, P_C = 8, P_OUT_H = 12, P_OUT_W = 16, P_F_H = 20, P_F_W = 24, P_S_H = 28, P_S_W = 32;
const P_PAD_TOP = 36, P_PAD_LEFT = 40, P_ACT_MIN = 44, P_ACT_MAX = 48, P_INPUT = 52, P_OUTPUT = 56;

export function maxPool(p: usize): void {
  const inH = load<i32>(p, P_IN_H), inW = load<i32>(p, P_IN_W), C = load<i32>(p, P_C);
  const outH = load<i32>(p, P_OUT_H), outW = load<i32>(p, P_OUT_W), fH = load<i32>(p, P_F_H), fW = load<i32>(p, P_F_W);
  const sH = load<i32>(p, P_S_H), sW = load<i32>(p, P_S_W), padTop = load<i32>(p, P_PAD_TOP), padLeft = load<i32>(p, P_PAD_LEFT);
  const actMin = load<i32>(p, P_ACT_MIN), actMax = load<i32>(p, P_ACT_MAX);
  const input = <usize>load<i32>(p, P_INPUT);
  const lo = i8x16.splat(<i8>actMin), hi = i8x16.splat(<i8>actMax);
  let out = <usize>load<i32>(p, P_OUTPUT);
  for (let oy = 0; oy < outH; oy++) {
    const y0 = max(0, oy * sH - padTop), y1 = min(inH, oy * sH - padTop + fH);
    for (let ox = 0; ox < outW; ox++) {
      const x0 = max(0, ox * sW - padLeft), x1 = min(inW, ox * sW - padLeft + fW);
      let c = 0;
      for (; c + 16 <= C; c += 16) {
        let m = i8x16.splat(-128);
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) m = i8x16.max_s(m, v128.load(input + <usize>((y * inW + x) * C + c)));
        }
        v128.store(out + <usize>c, i8x16.min_s(i8x16.max_s(m, lo), hi));
      }
      for (; c < C; c++) {
        let m: i32 = -128;
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) m = max(m, <i32>load<i8>(input + <usize>((y * inW + x) * C + c)));
        }
        store<i8>(out + <usize>c, <i8>(m < actMin ? actMin : m > actMax ? actMax : m));
      }
      out += <usize>C;
    }
  }
}

// QUANTIZE float32 → int8 (reference Quantize): float32 division by the scale, std::round (half away from zero),
// + zero point, clamp; NaN → 0, as a JavaScript Int8Array stores it on the TypeScript path.
export function quantize(input: usize, output: usize, size: i32, scale: f32, zeroPoint: i32): void {
  const zp = <f32>zeroPoint;
  for (let i = 0; i < size; i++) {
    const q = load<f32>(input + (<usize>i << 2)) / scale;
    if (q != q) {
      store<i8>(output + <usize>i, 0);
      continue;
    }
    const t = Mathf.trunc(q);
    const d = q - t; // exact: q and t share their integer part
    const v = (d >= 0.5 ? t + 1 : d <= -0.5 ? t - 1 : t) + zp;
    store<i8>(output + <usize>i, <i8>(v < -128 ? -128 : v > 127 ? 127 : <i32>v));
  }
}

// ADD, int8: the host tabulates reference_integer_ops::Add over all 65,536 (a, b) pairs (exact by construction);
// here it is one lookup per element.
export function add(a: usize, b: usize, out: usize, size: i32, table: usize): void {
  for (let i = 0; i < size; i++) {
    const k = ((<i32>load<i8>(a + <usize>i) + 128) << 8) | (<i32>load<i8>(b + <usize>i) + 128);
    store<i8>(out + <usize>i, load<i8>(table + <usize>k));
  }
}
