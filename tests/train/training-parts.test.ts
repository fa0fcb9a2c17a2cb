import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildSchedule, cosine, stepDecay, warmup, constant } from '../../train/src/training/schedule.ts';
import { sigmoidBinaryCrossEntropy, softmaxCrossEntropy } from '../../train/src/training/loss.ts';
import { augmentBatch } from '../../train/src/training/augment.ts';
import { Rng } from '../../train/src/training/rng.ts';
import { Optimizer } from '../../train/src/training/optimizer.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('learning-rate schedules', () => {
  it('step decay divides by 10 at each boundary', () => {
    const s = stepDecay(0.1, 100);
    [0.1, 0.1, 0.01, 0.001].forEach((v, i) => expect(s([0, 99, 100, 250][i]!)).toBeCloseTo(v, 12));
  });
  it('cosine runs from lr to 0 through lr/2 at the middle', () => {
    const s = cosine(0.2, 100);
    expect(s(0)).toBeCloseTo(0.2, 12);
    expect(s(50)).toBeCloseTo(0.1, 12);
    expect(s(100)).toBeCloseTo(0, 12);
    expect(s(500)).toBeCloseTo(0, 12);
  });
  it('linear warm-up ramps to the inner schedule, then hands over', () => {
    const s = warmup(4, constant(0.4));
    [0.1, 0.2, 0.3, 0.4, 0.4, 0.4].forEach((v, i) => expect(s([0, 1, 2, 3, 4, 10][i]!)).toBeCloseTo(v, 12));
  });
  it('buildSchedule: step milestones at 50 % and 75 % of training, warm-up in epochs', () => {
    const s = buildSchedule({ kind: 'step', lr: 1, epochs: 4, stepsPerEpoch: 10, warmupEpochs: 1 });
    expect(s(0)).toBeCloseTo(0.1, 12); // warm-up step 1 of 10
    expect(s(9)).toBeCloseTo(1, 12);
    expect(s(19)).toBeCloseTo(1, 12);
    expect(s(20)).toBeCloseTo(0.1, 12);
    expect(s(30)).toBeCloseTo(0.01, 12);
  });
});

describe('losses', () => {
  it('softmax cross-entropy with label smoothing matches the formula', () => {
    const z = [
      [2, 0.5, -1],
      [0, 0, 3],
    ];
    const y = [0, 1];
    const eps = 0.1;
    let expected = 0;
    z.forEach((row, i) => {
      const lse = Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
      row.forEach((v, k) => {
        const target = (k === y[i] ? 1 - eps : 0) + eps / 3;
        expected -= target * (v - lse);
      });
    });
    expected /= 2;
    const got = softmaxCrossEntropy(tf.tensor2d(z), tf.tensor1d(y, 'int32'), eps).dataSync()[0]!;
    expect(got).toBeCloseTo(expected, 5);
    const plain = softmaxCrossEntropy(tf.tensor2d(z), tf.tensor1d(y, 'int32'), 0).dataSync()[0]!;
    expect(plain).not.toBeCloseTo(got, 3);
  });
  it('sigmoid BCE on one logit equals -[y log p + (1-y) log(1-p)] and stays finite for large logits', () => {
    const z = [3, -2, 0.5];
    const y = [1, 0, 0];
    const p = z.map((v) => 1 / (1 + Math.exp(-v)));
    const expected = -p.reduce((a, pi, i) => a + (y[i] ? Math.log(pi) : Math.log(1 - pi)), 0) / 3;
    const got = sigmoidBinaryCrossEntropy(tf.tensor2d(z, [3, 1]), tf.tensor1d(y, 'int32')).dataSync()[0]!;
    expect(got).toBeCloseTo(expected, 5);
    const big = sigmoidBinaryCrossEntropy(
      tf.tensor2d([200, -200], [2, 1]),
      tf.tensor1d([0, 1], 'int32'),
    ).dataSync()[0]!;
    expect(big).toBeCloseTo(200, 3);
  });
});

describe('augmentation', () => {
  const shape = { n: 4, h: 6, w: 6, c: 2 };
  const x = new Float32Array(4 * 6 * 6 * 2).map((_, i) => i % 97);
  it('is deterministic for a seed and different across seeds', () => {
    const cfg = { kinds: ['crop', 'flip', 'erase'] as const, padding: 2 };
    const a = augmentBatch(x, shape, { ...cfg, kinds: [...cfg.kinds] }, new Rng(1));
    const b = augmentBatch(x, shape, { ...cfg, kinds: [...cfg.kinds] }, new Rng(1));
    const c = augmentBatch(x, shape, { ...cfg, kinds: [...cfg.kinds] }, new Rng(2));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(x[5]).toBe(5); // the input is untouched
  });
  it('flip mirrors rows exactly (twice = identity when both draws flip)', () => {
    const single = new Float32Array([1, 2, 3, 4, 5, 6]); // 1×1×3 image with 2 channels
    let flipped: Float32Array | null = null;
    for (let seed = 0; seed < 20 && !flipped; seed++) {
      const out = augmentBatch(single, { n: 1, h: 1, w: 3, c: 2 }, { kinds: ['flip'] }, new Rng(seed));
      if (out[0] !== 1) flipped = out;
    }
    expect(Array.from(flipped!)).toEqual([5, 6, 3, 4, 1, 2]);
  });
  it('crop shifts content and pads with the fill value, erase zeroes a rectangle', () => {
    const img = new Float32Array(8 * 8).fill(1);
    const shifted = augmentBatch(
      img,
      { n: 1, h: 8, w: 8, c: 1 },
      { kinds: ['crop'], padding: 3, fill: -7 },
      new Rng(3),
    );
    const pads = shifted.filter((v) => v === -7).length;
    const ones = shifted.filter((v) => v === 1).length;
    expect(pads + ones).toBe(64);
    let erasedOnce = false;
    for (let seed = 0; seed < 10; seed++) {
      const e = augmentBatch(img, { n: 1, h: 8, w: 8, c: 1 }, { kinds: ['erase'] }, new Rng(seed));
      const zeros = e.filter((v) => v === 0).length;
      if (zeros > 0) erasedOnce = true;
      expect(zeros).toBeLessThanOrEqual(64);
    }
    expect(erasedOnce).toBe(true);
  });
});

describe('optimizers', () => {
  it('sgd with momentum and L2 weight decay follows the update rule; biases are not decayed', () => {
    const w = tf.variable(tf.tensor2d([[1, -2]]));
    const b = tf.variable(tf.tensor1d([0.5]));
    const opt = new Optimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 0.1 }, [w, b]);
    const g = [tf.tensor2d([[0.5, 0.5]]), tf.tensor1d([1])];
    opt.apply(g, 0.1);
    opt.apply(g, 0.1);
    // step 1: v = g + wd·w; w -= lr·v.  step 2: v = 0.9 v + g + wd·w'
    const w0 = [1, -2];
    const v1 = w0.map((x) => 0.5 + 0.1 * x);
    const w1 = w0.map((x, i) => x - 0.1 * v1[i]!);
    const v2 = w1.map((x, i) => 0.9 * v1[i]! + 0.5 + 0.1 * x);
    const w2 = w1.map((x, i) => x - 0.1 * v2[i]!);
    const got = Array.from(w.dataSync());
    got.forEach((v, i) => expect(v).toBeCloseTo(w2[i]!, 6));
    // bias: no decay → v1 = 1, v2 = 1.9 → 0.5 - 0.1 - 0.19
    expect(b.dataSync()[0]!).toBeCloseTo(0.21, 6);
    opt.dispose();
  });
  it('adamw decays decoupled from the gradient', () => {
    const w = tf.variable(tf.tensor2d([[2]]));
    const opt = new Optimizer({ kind: 'adamw', momentum: 0, weightDecay: 0.5 }, [w]);
    opt.apply([tf.tensor2d([[0]])], 0.1);
    // zero gradient → Adam step 0; decoupled decay alone: 2 − 0.1·0.5·2 = 1.9
    expect(w.dataSync()[0]!).toBeCloseTo(1.9, 6);
    opt.dispose();
  });
});

describe('progress display', () => {
  it('a terminal gets one redrawn bar with images/s and ETA; a log gets plain epoch lines', async () => {
    const { createProgressReporter, formatDuration } = await import('../../train/src/training/progress.ts');
    const written: string[] = [];
    const logged: string[] = [];
    const tty = createProgressReporter({ isTTY: true, log: (m) => logged.push(m), write: (t) => written.push(t) });
    tty.onProgress({
      epoch: 1,
      epochs: 3,
      batch: 5,
      batches: 10,
      loss: 1.2345,
      imagesPerSecond: 41.5,
      etaSeconds: 125,
    });
    expect(written[0]).toMatch(/^\r\x1b\[2Kepoch 1\/3 \[#{12}\.{12}\] 5\/10 loss 1\.2345 · 41\.5 img\/s · ETA 2m05s$/);
    expect(logged).toEqual([]);
    const plain = createProgressReporter({ isTTY: false, log: (m) => logged.push(m) });
    plain.onProgress({ epoch: 1, epochs: 3, batch: 5, batches: 10, loss: 1, imagesPerSecond: 1, etaSeconds: 1 });
    plain.onEpoch(
      {
        epoch: 1,
        lr: 0.1,
        train: { loss: 0.5, top1: 0.8, images: 100 },
        validation: null,
        seconds: 3,
        imagesPerSecond: 33.3,
      },
      true,
      3,
    );
    expect(logged.some((l) => l.includes('\x1b'))).toBe(false);
    expect(logged.at(-1)).toBe('epoch 1/3 · lr 0.100 · train loss 0.5000 top-1 80.0 % · 33.3 img/s · 3s');
    expect(formatDuration(3725)).toBe('1h02m');
  });
});
