// One training step as a small interface, so that how a step is computed can change without the
// loop noticing. createLocalStep is the single-thread version: forward with BatchNorm in training
// mode (which also updates the moving statistics), backward through tf.variableGrads over the
// model's trainable weights only, one optimizer update.
//
// A data-parallel implementation (e.g. worker_threads, each holding a replica) fits the same
// interface: split `batch` into shards, average the shards' gradients weighted by shard size,
// apply one update, keep replicas' weights and BatchNorm statistics in sync. The loop only sees
// `step(batch, lr)`; batches arrive as plain typed arrays so they can be posted to workers as is.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { LossFn } from './loss.ts';
import type { EvaluateBatch } from './metrics.ts';
import type { Optimizer } from './optimizer.ts';

export interface Batch {
  /** NHWC, `count` images. */
  x: Float32Array;
  y: Int32Array;
  count: number;
  /** [height, width, channels] of one image. */
  shape: [number, number, number];
}

export interface StepResult {
  /** Mean loss over the batch, before the update. */
  loss: number;
  /** Images whose top-1 prediction (before the update) matched the label. */
  correct: number;
}

export interface TrainStep {
  step(batch: Batch, lr: number): Promise<StepResult>;
  /** Steps that keep weights elsewhere (the compiled WebGPU step) copy them into the model here. */
  sync?(): Promise<void>;
  /** Steps with threads of their own (data-parallel workers) evaluate `model` (same topology) on them too. */
  evaluator?(model: tfl.LayersModel, shape: [number, number, number]): EvaluateBatch;
  dispose(): void;
}

export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

export function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const predicted =
      logits.shape[1] === 1
        ? tf.cast(tf.greater(tf.reshape(logits, [-1]), 0), 'int32')
        : tf.cast(tf.argMax(logits, 1), 'int32');
    return tf.sum(tf.equal(predicted, labels)) as tf.Scalar;
  });
}

export interface Gradients {
  loss: tf.Scalar;
  correct: tf.Scalar;
  /** By variable name; `dispose()` frees them with `loss` and `correct`. */
  grads: tf.NamedTensorMap;
  dispose(): void;
}

/** Forward in training mode and backward over `vars` for one batch (or one shard of it). */
export function computeGradients(model: tfl.LayersModel, vars: tf.Variable[], loss: LossFn, batch: Batch): Gradients {
  const [h, w, c] = batch.shape;
  const x = tf.tensor4d(batch.x, [batch.count, h, w, c]);
  const y = tf.tensor1d(batch.y, 'int32');
  let correct: tf.Scalar | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const logits = model.apply(x, { training: true }) as tf.Tensor2D;
    correct = tf.keep(countCorrect(logits, y));
    return loss(logits, y);
  }, vars);
  return {
    loss: value,
    correct: correct!,
    grads,
    dispose: () => tf.dispose([x, y, value, correct!, ...Object.values(grads)]),
  };
}

export function createLocalStep(model: tfl.LayersModel, optimizer: Optimizer, loss: LossFn): TrainStep {
  const vars = trainableVariables(model);
  return {
    async step(batch, lr) {
      const g = computeGradients(model, vars, loss, batch);
      optimizer.apply(
        vars.map((v) => g.grads[v.name]!),
        lr,
      );
      const [lossValue, correct] = await Promise.all([g.loss.data(), g.correct.data()]);
      g.dispose();
      return { loss: lossValue[0]!, correct: correct[0]! };
    },
    dispose() {},
  };
}
