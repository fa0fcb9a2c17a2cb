// Shared by the compiled WebGPU step's suites: the Vulkan driver check, the reference run on the TF.js step
// (whatever backend the suite activated) and the same run on the compiled step.
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import type * as tfl from '@tensorflow/tfjs-layers';
import { DEFAULT_LAVAPIPE_ICD } from '../../train/src/backends/webgpu.ts';
import { CompiledTrainer } from '../../train/src/gpu/compiled-step.ts';
import type { GpuContext } from '../../train/src/gpu/device.ts';
import type { ActivationStorage } from '../../train/src/gpu/kernels/common.wgsl.ts';
import { lossFor } from '../../train/src/training/loss.ts';
import { Optimizer, type OptimizerConfig } from '../../train/src/training/optimizer.ts';
import { createLocalStep, trainableVariables } from '../../train/src/training/step.ts';
import { relError, seededBatch } from './backends-fixtures.ts';

export const driver = process.env['VK_DRIVER_FILES'] ?? process.env['RESNET_EDGE_VK_ICD'] ?? DEFAULT_LAVAPIPE_ICD;
export const haveDriver = existsSync(driver) || process.env['RESNET_EDGE_REAL_GPU'] === '1';

/**
 * Tunes lavapipe for these suites, before the first device is made (it reads the variable then): 128-bit
 * vectors instead of 256 roughly halve its LLVM compile time per pipeline, which dominates a short run.
 * A real GPU ignores it.
 */
export function favourCompileTime(): void {
  process.env['LP_NATIVE_VECTOR_WIDTH'] ??= '128';
}

export type Batch = ReturnType<typeof seededBatch>;
export interface Run {
  losses: number[];
  end: Float32Array[];
}

export const weightsOf = async (m: tfl.LayersModel) =>
  (await Promise.all(m.weights.map((w) => w.read().data()))) as Float32Array[];

/** `steps` steps of the TF.js step on the active backend. */
export async function reference(
  make: () => tfl.LayersModel,
  config: OptimizerConfig,
  steps: number,
  batch: (i: number) => Batch,
  lr: number,
  smoothing = 0,
): Promise<Run> {
  const model = make();
  const optimizer = new Optimizer(config, trainableVariables(model));
  const step = createLocalStep(model, optimizer, lossFor('softmax', smoothing));
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push((await step.step(batch(i), lr)).loss);
  const end = await weightsOf(model);
  model.dispose();
  return { losses, end };
}

/** The same run on the compiled step: weights in, `steps` steps (loss read every step), weights out. */
export async function compiled(
  ctx: GpuContext,
  make: () => tfl.LayersModel,
  config: OptimizerConfig,
  steps: number,
  batch: (i: number) => Batch,
  lr: number,
  smoothing = 0,
  activations: ActivationStorage = 'f32',
) {
  const model = make();
  const optimizer = new Optimizer(config, trainableVariables(model));
  const trainer = await CompiledTrainer.create(
    model,
    { batchSize: batch(0).count, optimizer: config, labelSmoothing: smoothing, activations },
    ctx,
  );
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

/** Each loss within `lossTol` (relative) of the reference's, each final weight within `weightTol` (relError). */
export function expectClose(gpu: Run, ref: Run, names: string[], lossTol: number, weightTol = lossTol): void {
  gpu.losses.forEach((l, i) =>
    expect(Math.abs(l - ref.losses[i]!), `loss ${i}: ${l} vs ${ref.losses[i]}`).toBeLessThanOrEqual(
      lossTol * Math.abs(ref.losses[i]!),
    ),
  );
  gpu.end.forEach((w, k) => expect(relError(w, ref.end[k]!), names[k]).toBeLessThanOrEqual(weightTol));
}
