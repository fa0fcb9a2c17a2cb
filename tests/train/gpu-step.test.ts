// The compiled WebGPU step (train/src/gpu) on the software Vulkan adapter that scripts/system-deps/webgpu.sh
// installs (a real GPU runs the same tests unchanged). Reference: the same model trained by the TF.js step on
// the pure-JS cpu backend, from the same initial weights, on tiny images so the reference stays fast. Whole
// networks: gpu-step-resnet20.test.ts and gpu-step-resnet18.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { CompiledTrainer } from '../../train/src/gpu/compiled-step.ts';
import { acquireGpu, type GpuContext } from '../../train/src/gpu/device.ts';
import type { OptimizerConfig } from '../../train/src/training/optimizer.ts';
import { relError, seededBatch, smallResNet } from './backends-fixtures.ts';
import { compiled, driver, expectClose, favourCompileTime, haveDriver, reference } from './gpu-step-fixtures.ts';
import { tinyModel } from './training-fixtures.ts';

describe.skipIf(!haveDriver)(`compiled WebGPU step (Vulkan driver ${driver})`, () => {
  let ctx: GpuContext;
  const sgd: OptimizerConfig = { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 };
  beforeAll(async () => {
    favourCompileTime();
    await tf.setBackend('cpu');
    ctx = await acquireGpu();
  });
  afterAll(() => ctx?.device.destroy());

  it('conv, BN statistics, BN+ReLU(+add), backward and SGD match the cpu backend over 3 steps of a small ResNet (≤ 1e-4)', async () => {
    const batch = (i: number) => seededBatch(16, 8, 3, 4, 100 + i);
    const cpu = await reference(() => smallResNet(11), sgd, 3, batch, 0.05);
    const gpu = await compiled(ctx, () => smallResNet(11), sgd, 3, batch, 0.05);
    expectClose(
      gpu,
      cpu,
      gpu.model.weights.map((w) => w.name),
      1e-4,
    );
    expect(gpu.losses[2]).toBeLessThan(gpu.losses[0]! + 0.2);

    gpu.trainer.destroy();
  });

  it('each forward kernel on its own: implicit-GEMM conv and BN+ReLU against tf.conv2d / tf.moments (≤ 1e-4)', async () => {
    const model = smallResNet(11);
    const config = { kind: 'sgd' as const, momentum: 0, weightDecay: 0 };
    const trainer = await CompiledTrainer.create(model, { batchSize: 16, optimizer: config, labelSmoothing: 0 }, ctx);
    await trainer.importWeights();
    const b = seededBatch(16, 8, 3, 4, 7);
    trainer.run(b, 0, { read: true }); // lr 0: weights stay, so the references below use the same ones
    const loss = (await trainer.readMetrics()).loss;
    const x = tf.tensor4d(b.x, [16, 8, 8, 3]);
    const kernel = model.getLayer('stem').getWeights()[0] as tf.Tensor4D;
    const conv = tf.conv2d(x, kernel, 1, 'same');
    expect(
      relError(await trainer.debugRead('stem/y', conv.size), (await conv.data()) as Float32Array),
    ).toBeLessThanOrEqual(1e-5);
    const { mean, variance } = tf.moments(conv, [0, 1, 2]);
    const relu = tf.relu(tf.batchNorm(conv, mean, variance, undefined, undefined, 1e-5));
    expect(
      relError(await trainer.debugRead('act1', relu.size), (await relu.data()) as Float32Array),
    ).toBeLessThanOrEqual(1e-5);
    const logits = model.predict(x) as tf.Tensor2D; // inference mode: only for the loss's shape of magnitude
    expect(Number.isFinite(loss) && loss > 0).toBe(true);
    tf.dispose([x, conv, mean, variance, relu, logits]);
    trainer.destroy();
  });

  it('bad input: an unsupported model, a batch over the plan and a lost device are coded errors, never a hang', async () => {
    await expect(
      CompiledTrainer.create(tinyModel(1), { batchSize: 4, optimizer: sgd, labelSmoothing: 0 }, ctx),
    ).rejects.toMatchObject({ code: 'gpu_unsupported_model' });
    const own = await acquireGpu();
    const trainer = await CompiledTrainer.create(
      smallResNet(3),
      { batchSize: 4, optimizer: sgd, labelSmoothing: 0 },
      own,
    );
    await trainer.importWeights();
    expect(() => trainer.run(seededBatch(8), 0.1)).toThrow(expect.objectContaining({ code: 'gpu_too_large' }));
    trainer.run(seededBatch(4), 0.1, { read: true });
    own.device.destroy();
    await expect(trainer.readMetrics()).rejects.toMatchObject({ code: 'gpu_device_lost' });
    expect(() => trainer.run(seededBatch(4), 0.1)).toThrow(expect.objectContaining({ code: 'gpu_device_lost' }));
  });
});
