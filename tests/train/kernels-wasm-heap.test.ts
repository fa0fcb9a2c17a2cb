// A convolution whose packed filter grows the wasm heap: the filter view must be taken after that allocation.
// Before the fix, every output of this conv was NaN (a view made before the heap grew reads undefined), which
// is what ResNet-18's 256- and 512-channel layers hit on the wasm backend.
import { beforeAll, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../train/src/backends/index.ts';
import { Rng } from '../../train/src/training/rng.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/** SAME 3×3 stride-1 convolution, one image, in plain JS (float64 sums). */
function reference(x: Float32Array, w: Float32Array, h: number, cin: number, cout: number): Float32Array {
  const y = new Float32Array(h * h * cout);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < h; c++) {
      for (let kh = 0; kh < 3; kh++) {
        for (let kw = 0; kw < 3; kw++) {
          const ri = r + kh - 1;
          const ci = c + kw - 1;
          if (ri < 0 || ci < 0 || ri >= h || ci >= h) continue;
          for (let i = 0; i < cin; i++) {
            const xv = x[(ri * h + ci) * cin + i]!;
            const base = ((kh * 3 + kw) * cin + i) * cout;
            for (let o = 0; o < cout; o++) y[(r * h + c) * cout + o]! += xv * w[base + o]!;
          }
        }
      }
    }
  }
  return y;
}

it('a 3×3×512×512 conv right after start-up (the packed filter grows the heap) is finite and correct', async () => {
  const rng = new Rng(4);
  const [h, cin, cout] = [2, 512, 512];
  const x = new Float32Array(h * h * cin).map(() => rng.uniform(-1, 1));
  for (let round = 0; round < 2; round++) {
    const w = new Float32Array(9 * cin * cout).map(() => rng.uniform(-0.1, 0.1));
    const y = tf.conv2d(tf.tensor4d(x, [1, h, h, cin]), tf.tensor4d(w, [3, 3, cin, cout]), 1, 'same');
    const got = (await y.data()) as Float32Array;
    const want = reference(x, w, h, cin, cout);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
    expect(got.every(Number.isFinite)).toBe(true);
    expect(worst).toBeLessThan(1e-4);
  }
});
