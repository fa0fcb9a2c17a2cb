// Bilinear resize on 8-bit samples, defined exactly so any runtime reproduces it bit for bit:
// - the shorter side becomes `shorter`; the other side is Math.round(side × shorter / shortSide), at least 1;
// - pixel centres are aligned ("half-pixel", as OpenCV INTER_LINEAR and PyTorch align_corners=False):
//   src = (dst + 0.5) · in / out − 0.5, clamped to [0, in − 1];
// - the four neighbours are mixed in float64 as (a·(1−fx) + b·fx)·(1−fy) + (c·(1−fx) + d·fx)·fy;
// - the result is rounded half up to uint8: floor(v + 0.5).
// No antialiasing filter: strong downscaling aliases, as TF's resize_bilinear(antialias=False) does.
import type { RawImage } from '../image/types.ts';

export function resizedSize(width: number, height: number, shorter: number): { width: number; height: number } {
  if (width <= height) {
    return { width: shorter, height: Math.max(1, Math.round((height * shorter) / width)) };
  }
  return { width: Math.max(1, Math.round((width * shorter) / height)), height: shorter };
}

/** For each output index: the left/top source index, the right/bottom one, and the weight of the latter. */
function sampling(inSize: number, outSize: number): { lo: Int32Array; hi: Int32Array; frac: Float64Array } {
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  for (let d = 0; d < outSize; d++) {
    let src = ((d + 0.5) * inSize) / outSize - 0.5;
    if (src < 0) src = 0;
    if (src > inSize - 1) src = inSize - 1;
    const i = Math.floor(src);
    lo[d] = i;
    hi[d] = Math.min(i + 1, inSize - 1);
    frac[d] = src - i;
  }
  return { lo, hi, frac };
}

export function resizeBilinear(image: RawImage, outWidth: number, outHeight: number): RawImage {
  const { width, height, channels: c, data } = image;
  if (outWidth === width && outHeight === height) return image;
  const xs = sampling(width, outWidth);
  const ys = sampling(height, outHeight);
  const out = new Uint8Array(outWidth * outHeight * c);
  let o = 0;
  for (let y = 0; y < outHeight; y++) {
    const top = ys.lo[y]! * width;
    const bottom = ys.hi[y]! * width;
    const fy = ys.frac[y]!;
    for (let x = 0; x < outWidth; x++) {
      const left = xs.lo[x]!;
      const right = xs.hi[x]!;
      const fx = xs.frac[x]!;
      for (let k = 0; k < c; k++) {
        const a = data[(top + left) * c + k]!;
        const b = data[(top + right) * c + k]!;
        const cc = data[(bottom + left) * c + k]!;
        const d = data[(bottom + right) * c + k]!;
        const v = (a * (1 - fx) + b * fx) * (1 - fy) + (cc * (1 - fx) + d * fx) * fy;
        out[o++] = Math.floor(v + 0.5);
      }
    }
  }
  return { width: outWidth, height: outHeight, channels: c, data: out };
}

export function resizeShorterSide(image: RawImage, shorter: number): RawImage {
  const size = resizedSize(image.width, image.height, shorter);
  return resizeBilinear(image, size.width, size.height);
}
