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
  dispose(): void;
}

export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

export function countCorrect(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const predicted = logits.shape[1] === 1 ? tf.cast(tf.greater(tf.reshape(logits, [-1]), 0), 'int32') : tf.cast(tf.argMax(logits, 1), 'int32');
    return tf.sum(tf.equal(predicted, labels)) as tf.Scalar;
  });
}

export function createLocalStep(model: tfl.LayersModel, optimizer: Optimizer, loss: LossFn): TrainStep {
  const vars = trainableVariables(model);
  return {
    async step(batch, lr) {
      const [h, w, c] = batch.shape;
      const x = tf.tensor4d(batch.x, [batch.count, h, w, c]);
      const y = tf.tensor1d(batch.y, 'int32');
      let correctT: tf.Scalar | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const logits = model.apply(x, { training: true }) as tf.Tensor2D;
        correctT = tf.keep(countCorrect(logits, y));
        return loss(logits, y);
      }, vars);
      optimizer.apply(vars.map((v) => grads[v.name]!), lr);
      const [lossValue, correct] = await Promise.all([value.data(), correctT!.data()]);
      tf.dispose([x, y, value, correctT!, ...Object.values(grads)]);
      return { loss: lossValue[0]!, correct: correct[0]! };
    },
    dispose() {},
  };
}
