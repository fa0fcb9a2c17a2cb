// The compiled WebGPU step (train/src/gpu) on the software Vulkan adapter that scripts/system-deps/webgpu.sh
// installs (a real GPU runs the same tests unchanged). Reference: the same model trained by the TF.js step on
// the pure-JS cpu backend, from the same initial weights, on tiny images so the reference stays fast.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { DEFAULT_LAVAPIPE_ICD } from '../../train/src/backends/webgpu.ts';
import { CompiledTrainer } from '../../train/src/gpu/compiled-step.ts';
import { acquireGpu, type GpuContext } from '../../train/src/gpu/device.ts';
import { buildModel } from '../../train/src/models/index.ts';
import { lossFor } from '../../train/src/training/loss.ts';
import { Optimizer, type OptimizerConfig } from '../../train/src/training/optimizer.ts';
import { withSeededMathRandom } from '../../train/src/training/rng.ts';
import { createLocalStep, trainableVariables } from '../../train/src/training/step.ts';
import { relError, seededBatch, smallResNet } from './backends-fixtures.ts';
import { tinyModel } from './training-fixtures.ts';

const driver = process.env['VK_DRIVER_FILES'] ?? process.env['RESNET_EDGE_VK_ICD'] ?? DEFAULT_LAVAPIPE_ICD;
const haveDriver = existsSync(driver) || process.env['RESNET_EDGE_REAL_GPU'] === '1';
// The full-network comparisons ran past their budget on 2 shared cores (the pure-JS reference, or lavapipe
// compiling ~90 pipelines) and were not yet seen passing: opt-in until they are made fast enough for CI.
const longTests = process.env['RESNET_EDGE_GPU_LONG_TESTS'] === '1';

type Batch = ReturnType<typeof seededBatch>;
const weightsOf = async (m: tfl.LayersModel) => (await Promise.all(m.weights.map((w) => w.read().data()))) as Float32Array[];

async function reference(make: () => tfl.LayersModel, config: OptimizerConfig, steps: number, batch: (i: number) => Batch, lr: number, smoothing = 0) {
  const model = make();
  const start = await weightsOf(model);
  const optimizer = new Optimizer(config, trainableVariables(model));
  const step = createLocalStep(model, optimizer, lossFor('softmax', smoothing));
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push((await step.step(batch(i), lr)).loss);
  return { start, losses, end: await weightsOf(model) };
}

async function compiled(ctx: GpuContext, make: () => tfl.LayersModel, config: OptimizerConfig, steps: number, batch: (i: number) => Batch, lr: number, smoothing = 0) {
  const model = make();
  const optimizer = new Optimizer(config, trainableVariables(model));
  const trainer = await CompiledTrainer.create(model, { batchSize: batch(0).count, optimizer: config, labelSmoothing: smoothing }, ctx);
  await trainer.importWeights(optimizer);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    trainer.run(batch(i), lr, { read: true });
    losses.push((await trainer.readMetrics()).loss);
  }
  await trainer.exportWeights(optimizer);
  const end = await weightsOf(model);
  return { trainer, model, optimizer, losses, end };
}

function expectClose(gpu: { losses: number[]; end: Float32Array[] }, cpu: { losses: number[]; end: Float32Array[] }, names: string[], tol: number) {
  gpu.losses.forEach((l, i) => expect(Math.abs(l - cpu.losses[i]!), `loss ${i}`).toBeLessThanOrEqual(tol * Math.abs(cpu.losses[i]!)));
  gpu.end.forEach((w, k) => expect(relError(w, cpu.end[k]!), names[k]).toBeLessThanOrEqual(tol));
}

describe.skipIf(!haveDriver)(`compiled WebGPU step (Vulkan driver ${driver})`, () => {
  let ctx: GpuContext;
  const sgd: OptimizerConfig = { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 };
  beforeAll(async () => {
    await tf.setBackend('cpu');
    ctx = await acquireGpu();
  });
  afterAll(() => ctx?.device.destroy());

  it('conv, BN statistics, BN+ReLU(+add), backward and SGD match the cpu backend over 3 steps of a small ResNet (≤ 1e-4)', async () => {
    const batch = (i: number) => seededBatch(16, 8, 3, 4, 100 + i);
    const cpu = await reference(() => smallResNet(11), sgd, 3, batch, 0.05);
    const gpu = await compiled(ctx, () => smallResNet(11), sgd, 3, batch, 0.05);
    expectClose(gpu, cpu, gpu.model.weights.map((w) => w.name), 1e-4);
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
    expect(relError(await trainer.debugRead('stem/y', conv.size), (await conv.data()) as Float32Array)).toBeLessThanOrEqual(1e-5);
    const { mean, variance } = tf.moments(conv, [0, 1, 2]);
    const relu = tf.relu(tf.batchNorm(conv, mean, variance, undefined, undefined, 1e-5));
    expect(relError(await trainer.debugRead('act1', relu.size), (await relu.data()) as Float32Array)).toBeLessThanOrEqual(1e-5);
    const logits = model.predict(x) as tf.Tensor2D; // inference mode: only for the loss's shape of magnitude
    expect(Number.isFinite(loss) && loss > 0).toBe(true);
    tf.dispose([x, conv, mean, variance, relu, logits]);
    trainer.destroy();
  });

  it.skipIf(!longTests)('ResNet-20 (8×8, batch 4): 3 SGD steps follow the cpu loss curve; ≤ 150 dispatches and 1 submit per step', async () => {
    const make = () => withSeededMathRandom(5, () => buildModel('resnet20', { inputShape: [8, 8, 3], numClasses: 10 }));
    const batch = (i: number) => seededBatch(4, 8, 3, 10, 200 + (i % 5));
    // 3 rather than the 20 steps: the pure-JS reference is too slow for CI even at 8×8 (10 steps > 150 s here).
    const steps = 3;
    const cpu = await reference(make, sgd, steps, batch, 0.02);
    const device = ctx.device;
    let submits = 0;
    let dispatches = 0;
    const submit = device.queue.submit.bind(device.queue);
    device.queue.submit = (cbs) => {
      submits++;
      submit(cbs);
    };
    const createEncoder = device.createCommandEncoder.bind(device);
    device.createCommandEncoder = (d) => {
      const enc = createEncoder(d);
      const begin = enc.beginComputePass.bind(enc);
      enc.beginComputePass = (pd) => {
        const pass = begin(pd);
        const dispatch = pass.dispatchWorkgroups.bind(pass);
        pass.dispatchWorkgroups = (x, y, z) => {
          dispatches++;
          dispatch(x, y, z);
        };
        return pass;
      };
      return enc;
    };
    const model = make();
    const optimizer = new Optimizer(sgd, trainableVariables(model));
    const trainer = await CompiledTrainer.create(model, { batchSize: 4, optimizer: sgd, labelSmoothing: 0 }, ctx);
    await trainer.importWeights(optimizer);
    submits = 0;
    dispatches = 0;
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      trainer.run(batch(i), 0.02, { read: true });
      losses.push((await trainer.readMetrics()).loss);
    }
    expect(submits).toBe(steps);
    expect(dispatches / steps).toBeLessThanOrEqual(150);
    expect(dispatches / steps).toBe(trainer.stepStats.dispatchesPerStep);
    await trainer.exportWeights(optimizer);
    const end = await weightsOf(model);
    expectClose({ losses, end }, cpu, model.weights.map((w) => w.name), 1e-3);
    trainer.destroy();
    device.queue.submit = submit;
    device.createCommandEncoder = createEncoder;
  }, 150_000);

  it.skipIf(!longTests)('ResNet-18 (7×7/2 stem, max-pool; 32×32, batch 2): 2 AdamW steps match the cpu backend', async () => {
    const make = () => withSeededMathRandom(6, () => buildModel('resnet18', { inputShape: [32, 32, 3], numClasses: 4 }));
    const adamw: OptimizerConfig = { kind: 'adamw', momentum: 0, weightDecay: 0.01 };
    const batch = (i: number) => seededBatch(2, 32, 3, 4, 300 + i);
    const cpu = await reference(make, adamw, 2, batch, 1e-3, 0.1);
    const gpu = await compiled(ctx, make, adamw, 2, batch, 1e-3, 0.1);
    expectClose(gpu, cpu, gpu.model.weights.map((w) => w.name), 1e-3);
    gpu.trainer.destroy();
  }, 120_000);

  it('bad input: an unsupported model, a batch over the plan and a lost device are coded errors, never a hang', async () => {
    await expect(CompiledTrainer.create(tinyModel(1), { batchSize: 4, optimizer: sgd, labelSmoothing: 0 }, ctx)).rejects.toMatchObject({ code: 'gpu_unsupported_model' });
    const own = await acquireGpu();
    const trainer = await CompiledTrainer.create(smallResNet(3), { batchSize: 4, optimizer: sgd, labelSmoothing: 0 }, own);
    await trainer.importWeights();
    expect(() => trainer.run(seededBatch(8), 0.1)).toThrow(expect.objectContaining({ code: 'gpu_too_large' }));
    trainer.run(seededBatch(4), 0.1, { read: true });
    own.device.destroy();
    await expect(trainer.readMetrics()).rejects.toMatchObject({ code: 'gpu_device_lost' });
    expect(() => trainer.run(seededBatch(4), 0.1)).toThrow(expect.objectContaining({ code: 'gpu_device_lost' }));
  });
});
