// The loop's determinism on the backend the trainer actually uses here (wasm with the patched
// gradient kernels): same seed → same loss curve and weights; interrupted + resumed = uninterrupted.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../train/src/backends/index.ts';
import { trainLoop, type LoopConfig } from '../../train/src/training/loop.ts';
import { bandImages, tinyModel } from './training-fixtures.ts';

let dir: string;
beforeAll(async () => {
  await initBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'h5-wasm-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const config: LoopConfig = {
  arch: 'tiny',
  labels: ['a', 'b', 'c'],
  head: 'softmax',
  epochs: 3,
  batchSize: 16,
  lr: 0.05,
  schedule: 'cosine',
  warmupEpochs: 1,
  optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 },
  labelSmoothing: 0.1,
  augment: { kinds: ['crop', 'flip', 'erase'], padding: 1, fill: -0.5 },
  seed: 11,
  patience: 0,
};
const data = { train: bandImages(80, 3, 8, 1), validation: bandImages(30, 3, 8, 2) };
const weights = (m: ReturnType<typeof tinyModel>) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe('training on wasm', () => {
  it('same seed → identical loss curve and weights; resume → identical to uninterrupted', async () => {
    const a = tinyModel(1);
    const ra = await trainLoop(a, data, config, join(dir, 'a'), false);
    const b = tinyModel(1);
    const rb = await trainLoop(b, data, config, join(dir, 'b'), false);
    expect(rb.history.map((h) => h.train.loss)).toEqual(ra.history.map((h) => h.train.loss));
    expect(weights(b)).toEqual(weights(a));

    const abort = new AbortController();
    const c = tinyModel(1);
    await trainLoop(c, data, config, join(dir, 'c'), false, {
      signal: abort.signal,
      onEpoch: (r) => r.epoch === 1 && abort.abort(),
    });
    const d = tinyModel(2);
    const rd = await trainLoop(d, data, config, join(dir, 'c'), true);
    expect(rd.history.map((h) => h.train.loss)).toEqual(ra.history.map((h) => h.train.loss));
    expect(weights(d)).toEqual(weights(a));
    expect(ra.history.at(-1)!.train.loss).toBeLessThan(ra.history[0]!.train.loss);
  });
});
