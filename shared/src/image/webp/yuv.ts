// Y′CbCr (BT.601, studio range) → RGB exactly as libwebp computes it: 14-bit fixed-point coefficients,
// the products' high bits, 6 fractional bits kept until the final clamp. Chroma is point-sampled (each
// U/V sample covers a 2×2 block) — libwebp's "simple" upsampler, what `dwebp -nofancy` outputs — because
// it is exact, streams with no extra rows, and the model only sees the picture after a bilinear resize.
const mulHi = (v: number, coeff: number): number => (v * coeff) >> 8;
const clip8 = (v: number): number => ((v & ~16383) === 0 ? v >> 6 : v < 0 ? 0 : 255);

/** One row: luma `y`, its chroma rows `u`/`v` → RGBA (alpha from `alpha` at `alphaAt`, else opaque). */
export function yuvRowToRgba(
  y: Uint8Array, u: Uint8Array, v: Uint8Array, width: number, out: Uint8Array,
  alpha: Uint8Array | null, alphaAt: number,
): void {
  for (let x = 0, o = 0; x < width; x++, o += 4) {
    const luma = mulHi(y[x]!, 19077);
    const cb = u[x >> 1]!;
    const cr = v[x >> 1]!;
    out[o] = clip8(luma + mulHi(cr, 26149) - 14234);
    out[o + 1] = clip8(luma - mulHi(cb, 6419) - mulHi(cr, 13320) + 8708);
    out[o + 2] = clip8(luma + mulHi(cb, 33050) - 17685);
    out[o + 3] = alpha ? alpha[alphaAt + x]! : 255;
  }
}

/** One row straight to RGB (pictures without alpha: nothing to composite). */
export function yuvRowToRgb(y: Uint8Array, u: Uint8Array, v: Uint8Array, width: number, out: Uint8Array): void {
  for (let x = 0, o = 0; x < width; x++, o += 3) {
    const luma = mulHi(y[x]!, 19077);
    const cb = u[x >> 1]!;
    const cr = v[x >> 1]!;
    out[o] = clip8(luma + mulHi(cr, 26149) - 14234);
    out[o + 1] = clip8(luma - mulHi(cb, 6419) - mulHi(cr, 13320) + 8708);
    out[o + 2] = clip8(luma + mulHi(cb, 33050) - 17685);
  }
}
