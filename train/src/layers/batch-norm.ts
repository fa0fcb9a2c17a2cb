// BatchNorm in training mode as one op with its closed-form gradient. The stock tfjs-layers layer normalises
// with tf.moments and tf.batchNorm, so autodiff walks back through the mean and the variance as well: about
// twenty activation-sized kernels per layer and step. Written as one op, the forward pass is the batch
// statistics plus one per-channel affine map, and the backward pass is two reductions (Σdy, Σdy·(x−μ)) plus
// one per-channel map — the same arithmetic as every framework's fused BatchNorm. Backends that register the
// kernels below (wasm: train/src/backends/wasm-kernels) run each half as two passes over memory; the others
// run the same formulas as ordinary ops.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** Inputs x, scale, offset; attr epsilon → [y, mean, variance] (variance biased, as tf.moments). */
export const BATCH_NORM_TRAIN = 'ResnetEdgeBatchNormTrain';
/** Inputs x, dy, mean, variance, scale; attr epsilon → [dx, dScale, dOffset]. */
export const BATCH_NORM_TRAIN_GRAD = 'ResnetEdgeBatchNormTrainGrad';

export interface BatchNormTrainingResult {
  y: tf.Tensor;
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

function kernelFor(name: string, x: tf.Tensor): boolean {
  return x.dtype === 'float32' && x.shape[x.rank - 1]! % 4 === 0 && tf.getKernel(name, tf.getBackend()) !== undefined;
}

/** Normalises `x` over every axis but the last with the batch's own statistics, then scales and shifts. */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): BatchNormTrainingResult {
  let stats: [tf.Tensor1D, tf.Tensor1D] | undefined;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, scale, offset, save] = args as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.GradSaveFunc];
    const [y, mean, variance] = forward(input, scale, offset, epsilon);
    save([input, mean, variance, scale]);
    // customGrad runs this inside a tidy that keeps only `value`: the statistics leave through the closure.
    stats = [tf.keep(mean), tf.keep(variance)];
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sMean, sVariance, sScale] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        return backward(sx, dy, sMean, sVariance, sScale, epsilon);
      },
    };
  });
  const y = op(x, gamma, beta);
  const [mean, variance] = stats!;
  return { y, mean, variance };
}

function forward(
  x: tf.Tensor,
  scale: tf.Tensor1D,
  offset: tf.Tensor1D,
  epsilon: number,
): [tf.Tensor, tf.Tensor1D, tf.Tensor1D] {
  if (kernelFor(BATCH_NORM_TRAIN, x)) {
    return tf
      .engine()
      .runKernel(BATCH_NORM_TRAIN, { x, scale, offset }, { epsilon } as unknown as tf.NamedAttrMap) as unknown as [
      tf.Tensor,
      tf.Tensor1D,
      tf.Tensor1D,
    ];
  }
  const { mean, variance } = tf.moments(x, channelAxes(x));
  return [tf.batchNorm(x, mean, variance, offset, scale, epsilon), mean as tf.Tensor1D, variance as tf.Tensor1D];
}

function backward(
  x: tf.Tensor,
  dy: tf.Tensor,
  mean: tf.Tensor1D,
  variance: tf.Tensor1D,
  scale: tf.Tensor1D,
  epsilon: number,
): tf.Tensor[] {
  if (kernelFor(BATCH_NORM_TRAIN_GRAD, x)) {
    return tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { x, dy, mean, variance, scale }, {
      epsilon,
    } as unknown as tf.NamedAttrMap) as tf.Tensor[];
  }
  const count = x.size / mean.size;
  const axes = channelAxes(x);
  const invStd = tf.rsqrt(tf.add(variance, epsilon));
  const centred = tf.sub(x, mean);
  const sumDy = tf.sum(dy, axes);
  const sumDyXc = tf.sum(tf.mul(dy, centred), axes);
  // dx = γ·s·dy − γ·s³·(x−μ)·Σdy(x−μ)/M − γ·s·Σdy/M, with s = 1/√(σ²+ε)
  const a = tf.mul(scale, invStd);
  const b = tf.mul(tf.neg(tf.mul(a, tf.square(invStd))), tf.div(sumDyXc, count));
  const k = tf.neg(tf.mul(a, tf.div(sumDy, count)));
  const dx = tf.add(tf.add(tf.mul(dy, a), tf.mul(centred, b)), k);
  return [dx, tf.mul(sumDyXc, invStd), sumDy];
}

function channelAxes(x: tf.Tensor): number[] {
  return Array.from({ length: x.rank - 1 }, (_, i) => i);
}

// ---- the layer ---------------------------------------------------------------------------------------------

interface BatchNormState {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: tfl.LayerVariable | null;
  beta: tfl.LayerVariable | null;
  movingMean: tfl.LayerVariable;
  movingVariance: tfl.LayerVariable;
}

type LayerClass = new (args: object) => tfl.layers.Layer;

// The stock class, reached through the serialization registry (tfjs-layers does not export it by name).
const StockBatchNormalization = tf.serialization.SerializationMap.getMap().classNameMap[
  'BatchNormalization'
]?.[0] as unknown as LayerClass | undefined;
if (StockBatchNormalization === undefined) throw new Error('tfjs-layers did not register BatchNormalization');

/**
 * tfjs-layers' BatchNormalization with the training path above. It serialises under the stock class name
 * with the same config and weights, so saved models, checkpoints and the quantizer see an ordinary
 * BatchNormalization layer; inference is the stock code.
 */
class BatchNormalization extends StockBatchNormalization {
  static className = 'BatchNormalization';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const state = this as unknown as BatchNormState;
    const lastAxis = state.axis === -1 || state.axis === x.rank - 1;
    // A frozen BatchNorm (trainable = false) normalises with its moving statistics even while the net trains.
    if (!this.trainable) return super.call(inputs, { ...kwargs, training: false });
    if (kwargs['training'] !== true || !lastAxis || state.gamma === null || state.beta === null)
      return super.call(inputs, kwargs);
    return tf.tidy(() => {
      const { y, mean, variance } = batchNormTraining(
        x,
        state.gamma!.read() as tf.Tensor1D,
        state.beta!.read() as tf.Tensor1D,
        state.epsilon,
      );
      movingAverage(state.movingMean, mean, state.momentum);
      movingAverage(state.movingVariance, variance, state.momentum);
      tf.dispose([mean, variance]);
      return y;
    });
  }
}

// Models rebuilt from their JSON (gradient workers' replicas, `eval` and `quantize` loading a run) get this
// class as well; with the stock class a worker replica would train on the slow path.
tf.serialization.SerializationMap.register(
  BatchNormalization as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable>,
);

/** Keras' update: moving ← moving − (moving − batch)·(1 − momentum). */
function movingAverage(variable: tfl.LayerVariable, value: tf.Tensor, momentum: number): void {
  tf.tidy(() => {
    const current = variable.read();
    variable.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - momentum)));
  });
}

export function isFusedBatchNorm(layer: tfl.layers.Layer): boolean {
  return layer instanceof BatchNormalization;
}

export function batchNormalizationLayer(args: {
  axis: number;
  epsilon: number;
  momentum: number;
  name: string;
}): tfl.layers.Layer {
  return new BatchNormalization(args);
}
