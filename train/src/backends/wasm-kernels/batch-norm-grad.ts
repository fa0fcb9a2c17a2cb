// Gradient of FusedBatchNorm written per channel. tfjs-core's version tiles rsqrt(var) to the full
// activation shape and multiplies full-size tensors five times; all the per-element work really needs is
// dy·k for dx and two reductions, Σdy and Σ(x−mean)·dy, from which the other four gradients are
// per-channel arithmetic. Same formulas, so it is registered for every backend (the gradient registry is
// global), and the tests compare it with the cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import { FusedBatchNorm, type GradConfig, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs-core';

export const batchNormGradConfig: GradConfig = {
  kernelName: FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const grad = dy as Tensor;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
    const scaleValue = scale ?? tf.scalar(1);
    const axes = tf.backend_util.getReductionAxes(mean.shape, x.shape);
    const channel = (t: Tensor) =>
      axes.length > 0 ? tf.reshape(tf.sum(t, axes), mean.shape) : tf.reshape(t, mean.shape);

    // The engine runs each input's gradient closure inside its own tidy(), so values the closures share
    // are computed here, in the backprop scope, and each closure returns a fresh tensor.
    const invStd = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const gain = tf.mul(invStd, scaleValue);
    const sumDy = channel(grad);
    const sumCentredDy = channel(tf.mul(tf.sub(x, mean), grad));

    return {
      x: () => tf.mul(grad, gain),
      mean: () => tf.neg(tf.mul(gain, sumDy)),
      variance: () => tf.mul(tf.mul(tf.pow(invStd, tf.scalar(3)), tf.mul(scaleValue, tf.scalar(-0.5))), sumCentredDy),
      scale: () => tf.mul(invStd, sumCentredDy),
      offset: () => tf.clone(sumDy),
    };
  },
};
