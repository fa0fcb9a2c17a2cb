// Y′CbCr (BT.601, studio range) → RGB exactly as libwebp computes it: 14-bit fixed-point coefficients,
// the products' high bits (v·coeff >> 8), 6 fractional bits kept until the final clamp. Chroma is
// point-sampled (each U/V sample covers a 2×2 block) — libwebp's "simple" upsampler, what `dwebp -nofancy`
// outputs — because it is exact, streams with no extra rows, and the model only sees the picture after a
// bilinear resize. The products are looked up per sample value, and the clamp `v < 0 ? 0 : v ≥ 2^14 ? 255 :
// v >> 6` is one table read at (v >> 6) + offset.
const mulHi = (v: number, coeff: number): number => (v * coeff) >> 8;

const table = (f: (v: number) => number): Int32Array => Int32Array.from({ length: 256 }, (_, v) => f(v));
const LUMA = table((y) => mulHi(y, 19077));
const RED_V = table((v) => mulHi(v, 26149) - 14234);
const GREEN_UV = table((u) => -mulHi(u, 6419) + 8708);
const GREEN_V = table((v) => mulHi(v, 13320));
const BLUE_U = table((u) => mulHi(u, 33050) - 17685);

// Every sum lies in [−17685, 34237] (blue at y = u = 0 and at y = u = 255), so v >> 6 lies in [−277, 534].
const CLIP_OFFSET = 280;
const CLIP = Uint8Array.from({ length: CLIP_OFFSET + 538 }, (_, i) => Math.max(0, Math.min(255, i - CLIP_OFFSET)));

/** One row: luma `y`, its chroma rows `u`/`v` → RGBA (alpha from `alpha` at `alphaAt`, else opaque). */
export function yuvRowToRgba(
  y: Uint8Array,
  u: Uint8Array,
  v: Uint8Array,
  width: number,
  out: Uint8Array,
  alpha: Uint8Array | null,
  alphaAt: number,
): void {
  for (let x = 0, o = 0; x < width; x++, o += 4) {
    const luma = LUMA[y[x]!]!;
    const cb = u[x >> 1]!;
    const cr = v[x >> 1]!;
    out[o] = CLIP[((luma + RED_V[cr]!) >> 6) + CLIP_OFFSET]!;
    out[o + 1] = CLIP[((luma + GREEN_UV[cb]! - GREEN_V[cr]!) >> 6) + CLIP_OFFSET]!;
    out[o + 2] = CLIP[((luma + BLUE_U[cb]!) >> 6) + CLIP_OFFSET]!;
    out[o + 3] = alpha ? alpha[alphaAt + x]! : 255;
  }
}

/** One row straight to RGB (pictures without alpha: nothing to composite); chroma terms once per 2 pixels. */
export function yuvRowToRgb(y: Uint8Array, u: Uint8Array, v: Uint8Array, width: number, out: Uint8Array): void {
  for (let x = 0, o = 0; x < width; x += 2, o += 6) {
    const cb = u[x >> 1]!;
    const cr = v[x >> 1]!;
    const r = RED_V[cr]!;
    const g = GREEN_UV[cb]! - GREEN_V[cr]!;
    const b = BLUE_U[cb]!;
    let luma = LUMA[y[x]!]!;
    out[o] = CLIP[((luma + r) >> 6) + CLIP_OFFSET]!;
    out[o + 1] = CLIP[((luma + g) >> 6) + CLIP_OFFSET]!;
    out[o + 2] = CLIP[((luma + b) >> 6) + CLIP_OFFSET]!;
    if (x + 1 === width) break;
    luma = LUMA[y[x + 1]!]!;
    out[o + 3] = CLIP[((luma + r) >> 6) + CLIP_OFFSET]!;
    out[o + 4] = CLIP[((luma + g) >> 6) + CLIP_OFFSET]!;
    out[o + 5] = CLIP[((luma + b) >> 6) + CLIP_OFFSET]!;
  }
}
