// Losses on logits (the models end in a linear Dense named 'predictions'); all return the batch mean.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Softmax cross-entropy with label smoothing ε (Szegedy et al. 2016): the target is
 * (1 - ε)·onehot + ε/K, so loss = -Σ_k target_k · log_softmax(z)_k.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, smoothing = 0): tf.Scalar {
  return tf.tidy(() => {
    const k = logits.shape[1];
    const onehot = tf.cast(tf.oneHot(labels, k), 'float32');
    const target = smoothing > 0 ? tf.add(tf.mul(onehot, 1 - smoothing), smoothing / k) : onehot;
    const logp = tf.logSoftmax(logits);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logp), 1))) as tf.Scalar;
  });
}

/**
 * Binary cross-entropy on one logit per image (the two-class sigmoid head, as seed 003 trains):
 * max(z, 0) - z·y + log(1 + e^{-|z|}), the numerically stable form. Label smoothing moves the
 * targets to ε/2 and 1 - ε/2.
 */
export function sigmoidBinaryCrossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D, smoothing = 0): tf.Scalar {
  return tf.tidy(() => {
    const z = tf.reshape(logits, [-1]);
    let y: tf.Tensor = tf.cast(labels, 'float32');
    if (smoothing > 0) y = tf.add(tf.mul(y, 1 - smoothing), smoothing / 2);
    const loss = tf.add(tf.sub(tf.relu(z), tf.mul(z, y)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
    return tf.mean(loss) as tf.Scalar;
  });
}

export type LossFn = (logits: tf.Tensor2D, labels: tf.Tensor1D) => tf.Scalar;

export function lossFor(head: 'softmax' | 'sigmoid', smoothing: number): LossFn {
  return head === 'sigmoid'
    ? (z, y) => sigmoidBinaryCrossEntropy(z, y, smoothing)
    : (z, y) => softmaxCrossEntropy(z, y, smoothing);
}

/** Class scores from logits, one column per class (a one-logit sigmoid head becomes [1-p, p]). */
export function probabilities(logits: tf.Tensor2D, head: 'softmax' | 'sigmoid'): tf.Tensor2D {
  return tf.tidy(() => {
    if (head === 'softmax' || logits.shape[1] !== 1)
      return head === 'softmax' ? tf.softmax(logits) : tf.sigmoid(logits);
    const p = tf.sigmoid(logits);
    return tf.concat([tf.sub(1, p), p], 1) as tf.Tensor2D;
  });
}
