// How a model is trained, as data: what `train` takes from its flags, what run.json records, what `retrain`
// reuses from the champion. The defaults live here once; the CLI's --help shows these same values. No TF.js.
import type { BackendChoice } from '../backends/names.ts';
import type { FineTuneRecipe } from '../transfer/recipe.ts';
import type { AugmentKind } from './augment.ts';
import type { OptimizerKind } from './optimizer-kinds.ts';
import type { ScheduleKind } from './schedule.ts';

export interface Recipe {
  epochs: number;
  batchSize: number;
  lr: number;
  optimizer: OptimizerKind;
  momentum: number;
  weightDecay: number;
  schedule: ScheduleKind;
  warmupEpochs: number;
  labelSmoothing: number;
  augment: AugmentKind[];
  seed: number;
  backend: BackendChoice;
  patience: number;
  /** Use at most this many training images (a seeded sample): for tiny budgets. 0 = all. */
  maxTrainSamples: number;
  /**
   * Wall-clock budget of a session's epochs in minutes (0 = none): the loop stops at the last epoch boundary that fits,
   * so a job with a hard timeout (infra's Batch job) still evaluates, gates and publishes. Resuming starts a new budget.
   */
  timeLimitMinutes?: number;
  /** Gradient workers (worker_threads data parallelism); 1 = this thread only; 'auto' = one per core (≤ 4) on wasm, else 1. */
  workers?: number | 'auto';
  /** On webgpu: 'compiled' (default) runs train/src/gpu's compiled step, 'tfjs' the TF.js kernels. */
  gpuStep?: 'compiled' | 'tfjs';
  /**
   * The compiled step's storage of conv outputs: 'f16' halves their memory traffic where the adapter has
   * shader-f16 and one f16 step's loss agrees with f32's (train/src/gpu/precision.ts); 'auto' tries it on
   * hardware adapters only (on lavapipe f16 measured slower than f32).
   */
  gpuActivations?: 'auto' | 'f32' | 'f16';
}

/** He et al.'s CIFAR recipe where it applies (SGD 0.1, momentum 0.9, weight decay 1e-4), cosine instead of steps. */
export const DEFAULT_RECIPE = {
  epochs: 10,
  batchSize: 64,
  optimizer: 'sgd',
  momentum: 0.9,
  schedule: 'cosine',
  warmupEpochs: 0,
  labelSmoothing: 0,
  augment: ['crop'],
  seed: 42,
  backend: 'auto',
  patience: 0,
  maxTrainSamples: 0,
  timeLimitMinutes: 0,
  workers: 'auto',
  gpuStep: 'compiled',
  gpuActivations: 'auto',
} as const satisfies Omit<Recipe, 'lr' | 'weightDecay' | 'augment'> & { augment: readonly AugmentKind[] };

/** The learning rate and weight decay that suit each optimiser (Adam-family rates are ~100× smaller; AdamW decays decoupled). */
export function optimizerDefaults(optimizer: OptimizerKind): { lr: number; weightDecay: number } {
  if (optimizer === 'sgd') return { lr: 0.1, weightDecay: 1e-4 };
  return { lr: 0.001, weightDecay: optimizer === 'adamw' ? 0.01 : 1e-4 };
}

/** The default recipe, whole, with the given changes. */
export function recipeWith(changes: Partial<Recipe> = {}): Recipe {
  const optimizer = changes.optimizer ?? DEFAULT_RECIPE.optimizer;
  return { ...DEFAULT_RECIPE, augment: [...DEFAULT_RECIPE.augment], ...optimizerDefaults(optimizer), ...changes };
}

/**
 * Fine-tuning, for every flag not given — `train --init` (new labels, new head) and `retrain --from champion` (its
 * own labels and head) alike: everything trains from the first step at the full rate, BatchNorm included; no
 * head-only warm-up. Measured by bench/transfer.ts (BENCHMARKS.md "Transfer learning": ResNet-20 pretrained on
 * Fashion-MNIST 5–9, 50 images per class of 0–4): this beat a frozen backbone with frozen BatchNorm (the
 * ImageNet-style recipe) and a 0.1× backbone rate at every budget; full-rate training with BatchNorm frozen diverged;
 * one epoch of head alone first cost up to 10 points at 3 epochs and gained nothing at 6 or more. Freezing stays a
 * flag (--freeze, --bn frozen, --backbone-lr) for tiny data or a much larger backbone.
 */
export const FINE_TUNE_DEFAULTS: FineTuneRecipe = {
  freeze: { kind: 'none' },
  unfreezeAt: 0,
  backboneLr: 1,
  batchNorm: 'train',
};
