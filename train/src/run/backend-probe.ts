// The start-up probe `auto` races GPU backends with (backends/race.ts): a few training steps of ResNet-20 on a
// contender, measured the way the trainer would use it — webgpu through the compiled step (train/src/gpu, the
// default --gpu-step), the others through the TF.js step. Every tensor and variable it makes is disposed, so the
// winner can still be activated before the run's first tensor.
import * as tf from '@tensorflow/tfjs-core';
import { activate } from '../backends/activate.ts';
import { PROBE, type Measure } from '../backends/race.ts';

/** Training img/s of the probe on contender `c`; leaves no tensor behind. */
export const probeThroughput: Measure = async (c, probe = PROBE) => {
  await activate(c.tfBackend);
  const { buildModel } = await import('../models/index.ts');
  const { Optimizer } = await import('../training/optimizer.ts');
  const { trainableVariables, createLocalStep } = await import('../training/step.ts');
  const { lossFor } = await import('../training/loss.ts');
  const config = { kind: 'sgd' as const, momentum: 0.9, weightDecay: 5e-4 };
  const { size, batch, steps } = probe;
  const x = Float32Array.from({ length: batch * size * size * 3 }, (_, i) => Math.sin(i));
  const images = {
    x,
    y: Int32Array.from({ length: batch }, (_, i) => i % 10),
    count: batch,
    shape: [size, size, 3] as [number, number, number],
  };
  const model = buildModel('resnet20', { inputShape: [size, size, 3], numClasses: 10 });
  const optimizer = new Optimizer(config, trainableVariables(model));
  try {
    let run: () => Promise<unknown>;
    let dispose: () => void;
    if (c.name === 'webgpu') {
      const { CompiledTrainer } = await import('../gpu/compiled-step.ts');
      const trainer = await CompiledTrainer.create(model, { batchSize: batch, optimizer: config, labelSmoothing: 0 });
      await trainer.importWeights();
      run = () => {
        trainer.run(images, 0.01, { read: true });
        return trainer.readMetrics();
      };
      dispose = () => {
        trainer.destroy();
        trainer.ctx.device.destroy();
      };
    } else {
      const step = createLocalStep(model, optimizer, lossFor('softmax', 0));
      run = () => step.step(images, 0.01);
      dispose = () => step.dispose();
    }
    try {
      await run(); // warm-up: kernels and pipelines compile on first use
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) await run();
      return (batch * steps * 1000) / (performance.now() - t0);
    } finally {
      dispose();
    }
  } finally {
    optimizer.dispose();
    model.dispose();
    tf.disposeVariables();
  }
};
