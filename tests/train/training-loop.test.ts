import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@tensorflow/tfjs-backend-cpu';
import { trainLoop, type LoopConfig } from '../../train/src/training/loop.ts';
import { createLocalStep, trainableVariables } from '../../train/src/training/step.ts';
import { Optimizer } from '../../train/src/training/optimizer.ts';
import { lossFor } from '../../train/src/training/loss.ts';
import { bandImages, tinyModel } from './training-fixtures.ts';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'h5-loop-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const labels = ['top', 'middle', 'bottom'];
const config = (over: Partial<LoopConfig> = {}): LoopConfig => ({
  arch: 'tiny',
  labels,
  head: 'softmax',
  epochs: 3,
  batchSize: 16,
  lr: 0.05,
  schedule: 'cosine',
  warmupEpochs: 0,
  optimizer: { kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 },
  labelSmoothing: 0,
  augment: { kinds: ['crop', 'erase'], padding: 1, fill: -0.5 },
  seed: 7,
  patience: 0,
  ...over,
});
const data = { train: bandImages(96, 3, 8, 1), validation: bandImages(30, 3, 8, 2) };

describe('training step', () => {
  it('lowers the loss over a few steps and updates BatchNorm moving statistics', async () => {
    const model = tinyModel(1);
    const opt = new Optimizer({ kind: 'adam', momentum: 0, weightDecay: 0 }, trainableVariables(model));
    const step = createLocalStep(model, opt, lossFor('softmax', 0));
    const batch = {
      x: data.train.x.subarray(0, 32 * 64),
      y: data.train.y.subarray(0, 32),
      count: 32,
      shape: [8, 8, 1] as [number, number, number],
    };
    const movingMean = () => Array.from(model.getLayer('conv1_bn').getWeights()[2]!.dataSync());
    const before = movingMean();
    const losses: number[] = [];
    for (let i = 0; i < 15; i++) losses.push((await step.step(batch, 0.05)).loss);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.7);
    expect(movingMean()).not.toEqual(before);
    expect(before.every((v) => v === 0)).toBe(true);
    opt.dispose();
    model.dispose();
  });

  it('does not leak tensors per step', async () => {
    const model = tinyModel(1);
    const opt = new Optimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 1e-4 }, trainableVariables(model));
    const step = createLocalStep(model, opt, lossFor('softmax', 0.1));
    const batch = {
      x: data.train.x.subarray(0, 8 * 64),
      y: data.train.y.subarray(0, 8),
      count: 8,
      shape: [8, 8, 1] as [number, number, number],
    };
    await step.step(batch, 0.01);
    const live = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await step.step(batch, 0.01);
    expect(tf.memory().numTensors).toBe(live);
    opt.dispose();
    model.dispose();
  });
});

describe('training loop', () => {
  it('is reproducible: same seed, same loss curve and weights', async () => {
    const runs = [];
    for (const name of ['a', 'b']) {
      const model = tinyModel(3);
      const r = await trainLoop(model, data, config({ epochs: 2 }), join(dir, `repro-${name}`), false);
      runs.push({
        losses: r.history.map((h) => h.train.loss),
        weights: model.getWeights().map((w) => Array.from(w.dataSync())),
      });
      model.dispose();
    }
    expect(runs[0]!.losses).toEqual(runs[1]!.losses);
    expect(runs[0]!.weights).toEqual(runs[1]!.weights);
  });

  it('learns the task and keeps the best epoch', async () => {
    const model = tinyModel(4);
    const saved: number[] = [];
    const r = await trainLoop(
      model,
      data,
      config({ epochs: 6, optimizer: { kind: 'adamw', momentum: 0, weightDecay: 0.01 }, lr: 0.03 }),
      join(dir, 'learn'),
      false,
      {
        saveBest: async (_m, rec) => void saved.push(rec.epoch),
      },
    );
    const last = r.history.at(-1)!;
    expect(last.validation!.top1).toBeGreaterThan(0.8);
    expect(r.history[0]!.train.loss).toBeGreaterThan(last.train.loss);
    expect(saved.at(-1)).toBe(r.best!.epoch);
    expect(last.validation!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(30);
    model.dispose();
  });

  it('resumes exactly where it stopped: interrupted after 2 of 3 epochs, resumed, equals 3 uninterrupted epochs', async () => {
    const full = tinyModel(5);
    const a = await trainLoop(full, data, config({ epochs: 3 }), join(dir, 'full'), false);

    const first = tinyModel(5);
    const abort = new AbortController();
    const cut = await trainLoop(first, data, config({ epochs: 3 }), join(dir, 'split'), false, {
      signal: abort.signal,
      onEpoch: (rec) => rec.epoch === 2 && abort.abort(),
    });
    expect(cut.stopped).toBe('interrupted');
    expect(cut.history.length).toBe(2);
    first.dispose();
    const second = tinyModel(99); // different init: everything must come from the checkpoint
    const b = await trainLoop(second, data, config({ epochs: 3 }), join(dir, 'split'), true);

    expect(b.resumedFromEpoch).toBe(2);
    expect(b.history.map((h) => h.train.loss)).toEqual(a.history.map((h) => h.train.loss));
    const wa = full.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = second.getWeights().map((w) => Array.from(w.dataSync()));
    expect(wb).toEqual(wa);
    full.dispose();
    second.dispose();
  });

  it('stops early when validation stops improving', async () => {
    const model = tinyModel(6, { batchNorm: false });
    // lr 0 and no BatchNorm → nothing changes → validation never improves after epoch 1.
    const r = await trainLoop(model, data, config({ epochs: 10, lr: 0, patience: 2 }), join(dir, 'early'), false);
    expect(r.stopped).toBe('early_stopping');
    expect(r.history.length).toBe(3);
    model.dispose();
  });

  it('stops at an epoch boundary under a time limit, and --resume continues from there', async () => {
    const model = tinyModel(5);
    // No epoch fits in a microsecond, but a session's first always runs: one epoch, then the limit.
    const cut = await trainLoop(model, data, config({ timeLimitSeconds: 1e-6 }), join(dir, 'limit'), false);
    expect(cut.stopped).toBe('time_limit');
    expect(cut.history.map((h) => h.epoch)).toEqual([1]);
    const rest = await trainLoop(model, data, config({ timeLimitSeconds: 3600 }), join(dir, 'limit'), true);
    expect(rest.stopped).toBe('completed');
    expect(rest.resumedFromEpoch).toBe(1);
    expect(rest.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    model.dispose();
  });

  it('trains a two-class sigmoid head (one logit, binary cross-entropy)', async () => {
    const two = { train: bandImages(64, 2, 8, 1), validation: bandImages(20, 2, 8, 2) };
    const model = tinyModel(8, { numClasses: 2, units: 1 });
    const r = await trainLoop(
      model,
      two,
      config({
        labels: ['N', 'P'],
        head: 'sigmoid',
        epochs: 4,
        optimizer: { kind: 'adam', momentum: 0, weightDecay: 0 },
        lr: 0.03,
      }),
      join(dir, 'sigmoid'),
      false,
    );
    expect(r.history.at(-1)!.validation!.top1).toBeGreaterThan(0.9);
    expect(r.history.at(-1)!.validation!.top5).toBeUndefined();
    expect(r.history.at(-1)!.validation!.confusion.length).toBe(2);
    model.dispose();
  });

  it('writes the checkpoint as one directory with no temporary left behind', async () => {
    const entries = await readdir(join(dir, 'full'));
    expect(entries.sort()).toEqual(['model.json', 'optimizer.bin', 'state.json', 'weights.bin']);
    expect((await readdir(dir)).filter((e) => e.includes('.tmp-'))).toEqual([]);
  });
});
