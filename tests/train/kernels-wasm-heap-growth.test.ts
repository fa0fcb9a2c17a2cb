// Our wasm convolution when the heap grows in the middle of it. Growing wasm memory detaches every typed-array view
// taken before; the convolution once read its filter through such a view (the filter blocks became NaN), which
// stopped a 2-worker ResNet-20 run with a NaN loss at epoch 5. Here every filter-block allocation grows the heap.
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../../train/src/backends/index.ts';
import { Rng } from '../../train/src/training/rng.ts';

/** The Emscripten module's heap and allocator, which the backend's types do not expose. */
type Heap = { HEAPU8: Uint8Array; _malloc(bytes: number): number; _free(at: number): void };
const heap = () => backend.wasm as unknown as Heap;

let backend: BackendWasm;
let makeOutput: BackendWasm['makeOutput'];
beforeAll(async () => {
  await initBackend('wasm');
  backend = tf.backend() as BackendWasm;
  makeOutput = backend.makeOutput;
});
afterAll(() => {
  backend.makeOutput = makeOutput;
});

/** From now on, each allocation of a packed filter ([Cout / 8, taps, 8]) is followed by a heap growth. */
function growOnFilterBlocks(): () => number {
  let grown = 0;
  backend.makeOutput = function (shape, dtype, memoryOffset, values) {
    const out = makeOutput.call(this, shape, dtype, memoryOffset, values);
    if (shape.length === 3 && shape[2] === 8) {
      const bytes = heap().HEAPU8.length; // more than is free: malloc must grow the memory
      heap()._free(heap()._malloc(bytes));
      grown++;
    }
    return out;
  };
  return () => grown;
}

it('a convolution whose filter blocks are allocated on a growing heap gives the same output', () => {
  const rng = new Rng(5);
  const x = tf.tensor4d(
    Float32Array.from({ length: 2 * 6 * 6 * 4 }, () => rng.uniform(-1, 1)),
    [2, 6, 6, 4],
  );
  const w = tf.tensor4d(
    Float32Array.from({ length: 3 * 3 * 4 * 8 }, () => rng.uniform(-1, 1)),
    [3, 3, 4, 8],
  );
  const expected = tf.conv2d(x, w, 1, 'same').dataSync().slice();
  const grown = growOnFilterBlocks();
  const heapBefore = heap().HEAPU8.length;
  const got = tf.conv2d(x, w, 1, 'same').dataSync();
  backend.makeOutput = makeOutput;
  expect(grown()).toBe(1);
  expect(heap().HEAPU8.length).toBeGreaterThan(heapBefore);
  expect(got.every(Number.isFinite)).toBe(true);
  expect(Array.from(got)).toEqual(Array.from(expected));
  tf.dispose([x, w]);
});
