// The compiled step behind the loop's TrainStep interface. Weights move to the GPU at the first step (after
// a resumed run's checkpoint is loaded) and back on `sync()`, which the loop calls before evaluating and
// checkpointing. The loop wants each step's loss, so this adapter reads it every step (one 8-byte map after
// the submit); the benchmark drives CompiledTrainer directly and reads every N steps.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Optimizer } from '../training/optimizer.ts';
import type { TrainStep } from '../training/step.ts';
import { CompiledTrainer } from './compiled-step.ts';

export async function createCompiledStep(
  model: tfl.LayersModel,
  optimizer: Optimizer,
  opts: { batchSize: number; labelSmoothing: number },
): Promise<TrainStep & { trainer: CompiledTrainer }> {
  const trainer = await CompiledTrainer.create(model, {
    batchSize: opts.batchSize,
    optimizer: optimizer.config,
    labelSmoothing: opts.labelSmoothing,
  });
  let onGpu = false;
  return {
    trainer,
    async step(batch, lr) {
      if (!onGpu) {
        await trainer.importWeights(optimizer);
        onGpu = true;
      }
      trainer.run(batch, lr, { read: true });
      return trainer.readMetrics();
    },
    async sync() {
      if (onGpu) await trainer.exportWeights(optimizer);
    },
    dispose() {
      trainer.destroy();
    },
  };
}
