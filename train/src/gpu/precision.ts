// Whether the compiled step may store its conv outputs in f16: decided once at planning time, per model, on a
// real batch. The same step runs twice from the same weights — f32 storage and f16 storage — and f16 is kept
// only when the two losses agree within a stated tolerance; otherwise (or without the adapter's shader-f16)
// the step stays f32 and the reason is logged. Accumulation, weights and optimizer state are f32 either way.
import type * as tfl from '@tensorflow/tfjs-layers';
import { CompiledTrainer, type CompiledStepOptions } from './compiled-step.ts';
import type { GpuContext } from './device.ts';
import type { ActivationStorage } from './kernels/common.wgsl.ts';

/**
 * Relative loss difference allowed between one f16-storage step and the f32 one. f16 keeps 11 significant
 * bits (relative rounding ≤ 4.9e-4 per stored value); rounding every conv output moved the first loss by
 * 1e-5 (the tests' small ResNet) to 1e-4 (ResNet-20 16×16, ResNet-18 64×64) relative on lavapipe, so 2e-3
 * leaves room for deeper nets while a real fault (overflow past 65,504, a broken kernel) lands far above it.
 */
export const F16_LOSS_TOLERANCE = 2e-3;

export interface StorageChoice {
  storage: ActivationStorage;
  /** Why this storage: quoted in the log line. */
  reason: string;
  lossF32?: number;
  lossF16?: number;
}

type Batch = { x: Float32Array; y: Int32Array; count: number };

/** One step's loss from the model's current weights (the trainer is thrown away: the model is untouched). */
async function oneStepLoss(
  model: tfl.LayersModel,
  opts: CompiledStepOptions,
  batch: Batch,
  ctx: GpuContext,
): Promise<number> {
  const trainer = await CompiledTrainer.create(model, opts, ctx);
  try {
    await trainer.importWeights();
    trainer.run(batch, 0, { read: true });
    return (await trainer.readMetrics()).loss;
  } finally {
    trainer.destroy();
  }
}

export async function chooseActivationStorage(
  model: tfl.LayersModel,
  opts: CompiledStepOptions,
  batch: Batch,
  ctx: GpuContext,
  log: (line: string) => void = console.warn,
  tolerance = F16_LOSS_TOLERANCE,
): Promise<StorageChoice> {
  if (!ctx.features.shaderF16 || !ctx.device.features.has('shader-f16')) {
    const reason = `${ctx.adapterName} has no shader-f16`;
    log(`compiled step: f32 activations (${reason})`);
    return { storage: 'f32', reason };
  }
  const lossF32 = await oneStepLoss(model, { ...opts, activations: 'f32' }, batch, ctx);
  const lossF16 = await oneStepLoss(model, { ...opts, activations: 'f16' }, batch, ctx);
  const rel = Math.abs(lossF16 - lossF32) / Math.max(Math.abs(lossF32), 1e-6);
  const compared = `loss ${lossF16} with f16 vs ${lossF32} with f32: relative difference ${rel.toExponential(2)}`;
  if (Number.isFinite(rel) && rel <= tolerance)
    return { storage: 'f16', reason: `${compared} ≤ ${tolerance}`, lossF32, lossF16 };
  const reason = `${compared}, over the tolerance ${tolerance}`;
  log(`compiled step: f32 activations (${reason})`);
  return { storage: 'f32', reason, lossF32, lossF16 };
}
