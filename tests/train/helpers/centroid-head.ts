// Turns a freshly built network into a real (if weak) classifier without gradient training, which is far
// too slow on the CPU backend for a unit test: the 'predictions' layer becomes a nearest-centroid probe on
// the (shrinkage-)standardised pooled features of labelled images. With f' = (f − m) / s and class centroids c_k of f',
// logit_k = f'·c_k − ½‖c_k‖², folded into the Dense weights W[:, k] = c_k / s, b_k = −(m / s)·c_k − ½‖c_k‖².
// Its argmax spreads over the classes and follows the images, so "int8 agrees with float" cannot be met
// by a constant prediction.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export function fitCentroidHead(model: tfl.LayersModel, x: tf.Tensor4D, labels: Int32Array, numClasses: number): void {
  const head = model.getLayer('predictions');
  const features = tfl.model({ inputs: model.inputs, outputs: head.input as tfl.SymbolicTensor });
  tf.tidy(() => {
    const f = features.predict(x) as tf.Tensor2D;
    const { mean, variance } = tf.moments(f, 0);
    // Shrunk towards the average variance, so near-constant features do not get huge weights.
    const std = tf.sqrt(tf.add(variance, tf.add(tf.mul(0.1, tf.mean(variance)), 1e-12)));
    const z = tf.div(tf.sub(f, mean), std) as tf.Tensor2D;
    const onehot = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses), 'float32') as tf.Tensor2D;
    const counts = tf.maximum(tf.sum(onehot, 0), 1);
    const centroids = tf.div(tf.matMul(onehot, z, true, false), tf.expandDims(counts, 1)) as tf.Tensor2D; // [k, d]
    const kernel = tf.div(tf.transpose(centroids), tf.expandDims(std, 1)); // [d, k]
    const bias = tf.sub(
      tf.neg(tf.squeeze(tf.matMul(tf.expandDims(mean, 0), kernel))),
      tf.mul(0.5, tf.sum(tf.square(centroids), 1)),
    );
    head.setWeights([kernel, bias]);
  });
}
