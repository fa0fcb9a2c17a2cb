// Data parallelism over worker_threads: the batch gradient assembled from 2 workers' shards equals the
// gradient one worker (and this thread) computes on the whole batch. The model here has no BatchNorm,
// because BatchNorm normalises each shard with its own statistics (as PyTorch DDP without SyncBN does),
// which changes the gradient by design; with BatchNorm we check that training proceeds and that the
// moving statistics come back from the workers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../train/src/backends/index.ts';
import { buildModel } from '../../train/src/models/index.ts';
import {
  DataParallelGradients,
  LaunchedWorkers,
  createDataParallelStep,
  shardSizes,
} from '../../train/src/parallel/data-parallel.ts';
import { Optimizer } from '../../train/src/training/optimizer.ts';
import { lossFor } from '../../train/src/training/loss.ts';
import { trainableVariables } from '../../train/src/training/step.ts';
import { evaluate } from '../../train/src/training/metrics.ts';
import { relError, seededBatch, smallResNet } from './backends-fixtures.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

it('shards a batch into near-equal contiguous parts', () => {
  expect(shardSizes(64, 2)).toEqual([32, 32]);
  expect(shardSizes(9, 2)).toEqual([5, 4]);
  expect(shardSizes(1, 2)).toEqual([1]);
});

describe('gradients without BatchNorm', () => {
  let model: ReturnType<typeof smallResNet>;
  let one: DataParallelGradients;
  let two: DataParallelGradients;
  beforeAll(async () => {
    model = smallResNet(5, { batchNorm: false });
    [one, two] = await Promise.all([
      DataParallelGradients.start(model, { workers: 1 }),
      DataParallelGradients.start(model, { workers: 2 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([one.dispose(), two.dispose()]);
  });

  it.each([10, 9])(
    '2 workers give the same batch gradient as 1 worker and as this thread (batch %i)',
    async (count) => {
      const batch = seededBatch(count, 8, 3, 4, 21);
      const copy = () => ({ ...batch, x: batch.x.slice(), y: batch.y.slice() });
      const [g1, g2] = [await one.compute(copy()), await two.compute(copy())];

      // This thread, whole batch, same loss: the reference both must equal.
      const vars = trainableVariables(model);
      const loss = lossFor('softmax', 0);
      const { value, grads } = tf.variableGrads(
        () =>
          loss(
            model.apply(tf.tensor4d(batch.x, [count, 8, 8, 3]), { training: true }) as tf.Tensor2D,
            tf.tensor1d(batch.y, 'int32'),
          ),
        vars,
      );
      const local = await Promise.all(vars.map((v) => grads[v.name]!.data() as Promise<Float32Array>));
      const localLoss = (await value.data())[0]!;

      expect(g1.grads).toHaveLength(vars.length);
      expect(Math.abs(g2.loss - g1.loss)).toBeLessThan(1e-5 * g1.loss);
      expect(Math.abs(g1.loss - localLoss)).toBeLessThan(1e-5 * localLoss);
      g2.grads.forEach((g, k) => {
        expect(relError(g, g1.grads[k]!), `grad ${k}, 2 vs 1 worker`).toBeLessThan(1e-5);
        expect(relError(g1.grads[k]!, local[k]!), `grad ${k}, 1 worker vs local`).toBeLessThan(1e-5);
      });
      tf.dispose([value, ...Object.values(grads)]);
    },
  );
});

describe('a data-parallel TrainStep with BatchNorm', () => {
  it('builds replicas whose BatchNorm layers train on the fused op', async () => {
    const pool = await DataParallelGradients.start(buildModel('resnet20', { inputShape: [8, 8, 3], numClasses: 3 }), {
      workers: 1,
    });
    try {
      expect(pool.replicas[0]).toMatchObject({ backend: 'wasm', fusedBatchNormLayers: 21, trainingConv2DLayers: 21 });
    } finally {
      await pool.dispose();
    }
  });

  it('trains with 2 workers and brings the BatchNorm moving statistics back', async () => {
    const model = smallResNet(7);
    const optimizer = new Optimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 0 }, trainableVariables(model));
    const step = await createDataParallelStep(model, optimizer, { workers: 2 });
    const movingMean = model.nonTrainableWeights.find((w) => w.name.includes('moving_mean'))!;
    const before = (await movingMean.read().data()).slice();
    const batch = seededBatch(16, 8, 3, 4, 8);
    const losses: number[] = [];
    try {
      for (let i = 0; i < 4; i++)
        losses.push((await step.step({ ...batch, x: batch.x.slice(), y: batch.y.slice() }, 0.05)).loss);
    } finally {
      step.dispose();
    }
    expect(losses[3]).toBeLessThan(losses[0]!);
    const after = await movingMean.read().data();
    expect(relError(after as Float32Array, before as Float32Array)).toBeGreaterThan(1e-3);
  });
});

it('workers launched before their model exists serve it once it is built, and no second one', async () => {
  const launched = new LaunchedWorkers(2);
  const model = smallResNet(5, { batchNorm: false });
  const pool = await DataParallelGradients.start(model, { workers: 2, launched });
  try {
    expect(pool.replicas.map((r) => r.backend)).toEqual(['wasm', 'wasm']);
    const g = await pool.compute(seededBatch(6));
    expect(Number.isFinite(g.loss)).toBe(true);
    await expect(DataParallelGradients.start(model, { workers: 2, launched })).rejects.toThrow('already serve');
  } finally {
    await pool.dispose();
  }
});

describe('evaluation on the workers', () => {
  it('gives the metrics this thread computes, for the trained model and for another of its topology', async () => {
    const model = smallResNet(7, { classes: 7 });
    const optimizer = new Optimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 0 }, trainableVariables(model));
    const step = await createDataParallelStep(model, optimizer, { workers: 2 });
    const labels = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const data = seededBatch(23, 8, 3, 7, 5); // 23 = 2 batches of 10 + 3: shards of 5/5 and 2/1
    try {
      const batch = seededBatch(16, 8, 3, 7, 8);
      // One step, so that the moving statistics differ from their initial values.
      await step.step({ ...batch, x: batch.x.slice(), y: batch.y.slice() }, 0.05);
      for (const m of [model, smallResNet(9, { classes: 7 })]) {
        const local = await evaluate(m, data, labels, 'softmax', 10);
        const spread = await evaluate(m, data, labels, 'softmax', 10, step.evaluator!(m, data.shape));
        expect(spread.confusion).toEqual(local.confusion);
        expect(spread.top5).toBe(local.top5);
        expect(spread.loss).toBeCloseTo(local.loss, 5);
      }
    } finally {
      step.dispose();
      optimizer.dispose();
    }
  });
});
