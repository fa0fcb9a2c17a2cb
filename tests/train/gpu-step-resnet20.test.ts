// ResNet-20 end to end on the compiled WebGPU step (software Vulkan in CI, a real GPU unchanged): 20 SGD steps
// against the TF.js step's loss curve on the wasm backend (the trainer's CPU backend, its kernels checked
// against the pure-JS cpu backend in kernels-wasm.test.ts; the pure-JS backend itself took ≈6 s a step here,
// 2 min for 20), and the structure of a step: how many dispatches, one submit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../train/src/backends/index.ts';
import { countGpuCalls } from '../../train/src/gpu/call-counter.ts';
import { CompiledTrainer } from '../../train/src/gpu/compiled-step.ts';
import { acquireGpu, type GpuContext } from '../../train/src/gpu/device.ts';
import { buildModel } from '../../train/src/models/index.ts';
import { Optimizer, type OptimizerConfig } from '../../train/src/training/optimizer.ts';
import { withSeededMathRandom } from '../../train/src/training/rng.ts';
import { trainableVariables } from '../../train/src/training/step.ts';
import { seededBatch } from './backends-fixtures.ts';
import { compiled, driver, expectClose, favourCompileTime, haveDriver, reference } from './gpu-step-fixtures.ts';

const sgd: OptimizerConfig = { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 };
const make = () => withSeededMathRandom(5, () => buildModel('resnet20', { inputShape: [8, 8, 3], numClasses: 10 }));
const batch = (i: number) => seededBatch(4, 8, 3, 10, 200 + (i % 5));

describe.skipIf(!haveDriver)(`ResNet-20 on the compiled WebGPU step (Vulkan driver ${driver})`, () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    favourCompileTime();
    await initBackend('wasm');
    ctx = await acquireGpu();
  });
  afterAll(() => ctx?.device.destroy());

  it('one step is ≤ 150 dispatches and 1 submit, as the plan says', async () => {
    const model = make();
    const optimizer = new Optimizer(sgd, trainableVariables(model));
    const trainer = await CompiledTrainer.create(model, { batchSize: 4, optimizer: sgd, labelSmoothing: 0 }, ctx);
    await trainer.importWeights(optimizer);
    const calls = countGpuCalls(ctx.device);
    try {
      for (let i = 0; i < 2; i++) {
        trainer.run(batch(i), 0.02, { read: i === 1 });
      }
      await trainer.readMetrics();
      expect(calls.counts.submits).toBe(2);
      expect(calls.counts.dispatches / 2).toBe(trainer.stepStats.dispatchesPerStep);
      expect(trainer.stepStats.dispatchesPerStep).toBeLessThanOrEqual(150);
    } finally {
      calls.restore();
      trainer.destroy();
      model.dispose();
    }
  });

  // The single-kernel tolerance holds over all 20 steps: measured here, the losses agree to ≤ 1e-5 and the weights
  // to ≤ 5e-6. At lr 0.02 the same run drifts from 3e-7 at step 0 to 3e-2 by step 19 (losses near 0.01, where a
  // step of momentum SGD on 4 images amplifies summation-order rounding), which would hide a real error behind a
  // loose bound; lr 0.005 still takes the loss from 3.65 to 0.05.
  it('20 SGD steps (8×8, batch 4) follow the wasm backend’s loss curve and end at the same weights (≤ 1e-4)', async () => {
    const steps = 20;
    const ref = await reference(make, sgd, steps, batch, 0.005);
    const gpu = await compiled(ctx, make, sgd, steps, batch, 0.005);
    expectClose(
      gpu,
      ref,
      gpu.model.weights.map((w) => w.name),
      1e-4,
    );
    // It learned: the batches repeat every 5 steps, so the last round's loss is below the first round's.
    expect(gpu.losses.slice(15).reduce((a, b) => a + b)).toBeLessThan(gpu.losses.slice(0, 5).reduce((a, b) => a + b));
    gpu.trainer.destroy();
  });
});
