// The compiled step behind the loop's TrainStep interface. Weights move to the GPU at the first step (after
// a resumed run's checkpoint is loaded) and back on `sync()`, which the loop calls before evaluating and
// checkpointing. The loop wants each step's loss, so this adapter reads it every step (one 8-byte map after
// the submit); the benchmark drives CompiledTrainer directly and reads every N steps.
//
// f16 activations are decided at the first step, on its batch and the weights it starts from (precision.ts):
// the f32 trainer planned at creation proves the model is supported; a passing check replaces it by an f16 one.
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Optimizer } from '../training/optimizer.ts';
import type { TrainStep } from '../training/step.ts';
import { CompiledTrainer, type CompiledStepOptions } from './compiled-step.ts';
import type { GpuContext } from './device.ts';
import { chooseActivationStorage } from './precision.ts';

export type ActivationChoice = 'auto' | 'f32' | 'f16';

export type CompiledStep = TrainStep & { trainer: CompiledTrainer; sync(): Promise<void> };

export async function createCompiledStep(
  model: tfl.LayersModel,
  optimizer: Optimizer,
  opts: {
    batchSize: number;
    labelSmoothing: number;
    activations?: ActivationChoice;
    log?: (line: string) => void;
    /** The device to plan on (default: acquireGpu()). */
    ctx?: GpuContext;
  },
): Promise<CompiledStep> {
  const log = opts.log ?? console.warn;
  const stepOptions: CompiledStepOptions = {
    batchSize: opts.batchSize,
    optimizer: optimizer.config,
    labelSmoothing: opts.labelSmoothing,
  };
  let trainer = await CompiledTrainer.create(model, stepOptions, opts.ctx);
  const choice = opts.activations ?? 'auto';
  let undecided = choice === 'f16' || (choice === 'auto' && !trainer.ctx.software);
  if (choice === 'auto' && trainer.ctx.software)
    log(`compiled step: f32 activations (${trainer.ctx.adapterName} is a software adapter, where f16 is slower)`);
  let onGpu = false;
  const adapter = {
    trainer,
    async step(batch, lr) {
      if (undecided) {
        undecided = false;
        const chosen = await chooseActivationStorage(model, stepOptions, batch, trainer.ctx, log);
        if (chosen.storage === 'f16') {
          const f16 = await CompiledTrainer.create(model, { ...stepOptions, activations: 'f16' }, trainer.ctx);
          trainer.destroy();
          trainer = adapter.trainer = f16;
          log(`compiled step: f16 activations (${chosen.reason})`);
        }
      }
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
  } satisfies CompiledStep;
  return adapter;
}
