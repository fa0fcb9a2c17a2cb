// Data augmentation on a preprocessed NHWC Float32 batch, driven by a seeded Rng so that the same
// seed gives the same augmented batches (and a resumed run continues the same sequence).
//
//  crop  — pad by `padding` pixels on each side with `fill`, take a random crop of the original
//          size (He et al.'s CIFAR recipe: 4 px).
//  flip  — mirror left-right with probability 1/2. Off unless asked for: not every dataset is
//          flip-invariant (digits, text, road signs…).
//  erase — random erasing (Zhong et al. 2017): with probability 1/2, a rectangle of 2–40 % of the
//          area and aspect 0.3–3.3 is set to 0 (the normalised mean for mean/std preprocessing).
import type { Rng } from './rng.ts';

export type AugmentKind = 'crop' | 'flip' | 'erase';
export const AUGMENTS: readonly AugmentKind[] = ['crop', 'flip', 'erase'];

export interface AugmentConfig {
  kinds: AugmentKind[];
  padding?: number;
  /** Value padded pixels take (the normalised value of a black pixel). */
  fill?: number;
}

export interface BatchShape {
  n: number;
  h: number;
  w: number;
  c: number;
}

/** Returns an augmented copy of `x`; `x` is left untouched. */
export function augmentBatch(x: Float32Array, shape: BatchShape, config: AugmentConfig, rng: Rng): Float32Array {
  const out = new Float32Array(x);
  if (config.kinds.length === 0) return out;
  const size = shape.h * shape.w * shape.c;
  const scratch = new Float32Array(size);
  for (let i = 0; i < shape.n; i++) {
    const img = out.subarray(i * size, (i + 1) * size);
    // Fixed order and a fixed number of draws per kind keep the random stream aligned.
    if (config.kinds.includes('crop')) randomCrop(img, scratch, shape, config.padding ?? 4, config.fill ?? 0, rng);
    if (config.kinds.includes('flip')) maybeFlip(img, shape, rng);
    if (config.kinds.includes('erase')) randomErase(img, shape, rng);
  }
  return out;
}

function randomCrop(
  img: Float32Array,
  scratch: Float32Array,
  { h, w, c }: BatchShape,
  pad: number,
  fill: number,
  rng: Rng,
): void {
  const dy = rng.int(2 * pad + 1) - pad;
  const dx = rng.int(2 * pad + 1) - pad;
  if (dy === 0 && dx === 0) return;
  scratch.set(img);
  for (let y = 0; y < h; y++) {
    const sy = y + dy;
    for (let x = 0; x < w; x++) {
      const sx = x + dx;
      const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
      for (let k = 0; k < c; k++) img[(y * w + x) * c + k] = inside ? scratch[(sy * w + sx) * c + k]! : fill;
    }
  }
}

function maybeFlip(img: Float32Array, { h, w, c }: BatchShape, rng: Rng): void {
  if (rng.next() >= 0.5) return;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w >> 1; x++) {
      const a = (y * w + x) * c;
      const b = (y * w + (w - 1 - x)) * c;
      for (let k = 0; k < c; k++) {
        const t = img[a + k]!;
        img[a + k] = img[b + k]!;
        img[b + k] = t;
      }
    }
  }
}

function randomErase(img: Float32Array, { h, w, c }: BatchShape, rng: Rng): void {
  const apply = rng.next() < 0.5;
  const area = rng.uniform(0.02, 0.4) * h * w;
  const aspect = Math.exp(rng.uniform(Math.log(0.3), Math.log(1 / 0.3)));
  const eh = Math.min(h, Math.max(1, Math.round(Math.sqrt(area * aspect))));
  const ew = Math.min(w, Math.max(1, Math.round(Math.sqrt(area / aspect))));
  const y0 = rng.int(h - eh + 1);
  const x0 = rng.int(w - ew + 1);
  if (!apply) return;
  for (let y = y0; y < y0 + eh; y++) img.fill(0, (y * w + x0) * c, (y * w + x0 + ew) * c);
}
