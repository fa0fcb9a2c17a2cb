// f16 storage of the conv outputs on the compiled WebGPU step (train/src/gpu/precision.ts): the plan-time check
// that keeps it only when one step's loss agrees with f32 storage, training with it, and the fallbacks to f32
// (no shader-f16, loss past the tolerance). Lavapipe exposes shader-f16, so CI runs the f16 kernels for real.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { CompiledTrainer } from '../../train/src/gpu/compiled-step.ts';
import { acquireGpu, type GpuContext } from '../../train/src/gpu/device.ts';
import { chooseActivationStorage, F16_LOSS_TOLERANCE } from '../../train/src/gpu/precision.ts';
import { createCompiledStep } from '../../train/src/gpu/train-step.ts';
import { Optimizer, type OptimizerConfig } from '../../train/src/training/optimizer.ts';
import { trainableVariables } from '../../train/src/training/step.ts';
import { seededBatch, smallResNet } from './backends-fixtures.ts';
import { compiled, driver, favourCompileTime, haveDriver } from './gpu-step-fixtures.ts';

const sgd: OptimizerConfig = { kind: 'sgd', momentum: 0.9, weightDecay: 5e-4 };
const batch = (i: number) => seededBatch(16, 8, 3, 4, 300 + i);
const opts = { batchSize: 16, optimizer: sgd, labelSmoothing: 0 };

describe.skipIf(!haveDriver)(`f16 activations on the compiled WebGPU step (Vulkan driver ${driver})`, () => {
  let ctx: GpuContext;
  beforeAll(async () => {
    favourCompileTime();
    await tf.setBackend('cpu');
    ctx = await acquireGpu();
  });
  afterAll(() => ctx?.device.destroy());

  it('the plan-time check keeps f16 when its loss is within the tolerance of f32’s, and f16 then trains like f32', async () => {
    expect(ctx.features.shaderF16, 'this suite expects an adapter with shader-f16 (lavapipe has it)').toBe(true);
    const model = smallResNet(21);
    const logged: string[] = [];
    const choice = await chooseActivationStorage(model, opts, batch(0), ctx, (l) => logged.push(l));
    model.dispose();
    expect(choice.storage, choice.reason).toBe('f16');
    expect(logged).toEqual([]);
    const rel = Math.abs(choice.lossF16! - choice.lossF32!) / choice.lossF32!;
    // f16 really is in use (the losses differ) and close to f32.
    expect(rel).toBeGreaterThan(0);
    expect(rel).toBeLessThanOrEqual(F16_LOSS_TOLERANCE);

    const f32 = await compiled(ctx, () => smallResNet(21), sgd, 5, batch, 0.05);
    const f16 = await compiled(ctx, () => smallResNet(21), sgd, 5, batch, 0.05, 0, 'f16');
    expect(f16.trainer.stepStats.activations).toBe('f16');
    // Measured here: the loss curves agree to ~1e-4 relative over the 5 steps.
    f16.losses.forEach((l, i) => expect(Math.abs(l - f32.losses[i]!)).toBeLessThanOrEqual(5e-3 * f32.losses[i]!));
    expect(f16.losses[4]).toBeLessThan(f16.losses[0]!);
    for (const run of [f32, f16]) {
      run.trainer.destroy();
      run.model.dispose();
    }
  });

  it('falls back to f32 and logs why: shader-f16 disabled, or the loss past the tolerance', async () => {
    const model = smallResNet(22);
    const logged: string[] = [];
    const log = (l: string) => logged.push(l);
    const noF16 = { ...ctx, features: { ...ctx.features, shaderF16: false } };
    const absent = await chooseActivationStorage(model, opts, batch(0), noF16, log);
    expect(absent.storage).toBe('f32');
    expect(absent.reason).toMatch(/no shader-f16/);
    // A tolerance of 0 stands in for a model whose f16 loss drifts: the two losses always differ a little.
    const drift = await chooseActivationStorage(model, opts, batch(0), ctx, log, 0);
    expect(drift.storage).toBe('f32');
    expect(drift.reason).toMatch(/over the tolerance 0/);
    expect(logged).toHaveLength(2);
    expect(logged[1]).toContain('compiled step: f32 activations (loss ');
    model.dispose();
  });

  it("the training loop's step: --gpu-activations f16 decides at the first step, auto stays f32 on a software adapter", async () => {
    const run = async (activations: 'auto' | 'f16') => {
      const model = smallResNet(24);
      const logged: string[] = [];
      const optimizer = new Optimizer(sgd, trainableVariables(model));
      const step = await createCompiledStep(model, optimizer, {
        batchSize: 16,
        labelSmoothing: 0,
        activations,
        ctx,
        log: (l) => logged.push(l),
      });
      const losses = [(await step.step(batch(0), 0.05)).loss, (await step.step(batch(1), 0.05)).loss];
      const storage = step.trainer.stepStats.activations;
      await step.sync();
      step.dispose();
      model.dispose();
      return { logged, losses, storage };
    };
    expect(ctx.software, 'lavapipe is a software adapter').toBe(true);
    const auto = await run('auto');
    expect(auto.storage).toBe('f32');
    expect(auto.logged).toEqual([expect.stringMatching(/f32 activations \(.* is a software adapter/)]);
    const f16 = await run('f16');
    expect(f16.storage).toBe('f16');
    expect(f16.logged).toEqual([expect.stringMatching(/^compiled step: f16 activations \(loss .* ≤ 0\.002\)$/)]);
    f16.losses.forEach((l, i) => expect(Math.abs(l - auto.losses[i]!)).toBeLessThanOrEqual(5e-3 * auto.losses[i]!));
  });

  it('asking for f16 on a device without shader-f16 is a coded error before anything is allocated', async () => {
    // A second Dawn instance, held until the end of the test (its devices must not outlive it).
    const { create } = await import('webgpu');
    const gpu = create([]);
    const adapter = (await gpu.requestAdapter())!;
    const device = await adapter.requestDevice();
    const model = smallResNet(23);
    try {
      await expect(
        CompiledTrainer.create(model, { ...opts, activations: 'f16' }, { ...ctx, device }),
      ).rejects.toMatchObject({ code: 'gpu_unsupported_model' });
    } finally {
      model.dispose();
      device.destroy();
    }
  });
});
