// Keras applications' ResNet50/101/152 (keras/src/applications/resnet.py) in our network. The layer names are
// ours already; three differences are folded into the weights so the imported net keeps Keras' arithmetic:
//  - Keras convs carry a bias and are followed by BatchNorm: BN(conv + b) = BN'(conv) with moving_mean − b.
//  - Keras BatchNorm uses ε = 1.001e-5, ours 1e-5: moving_variance + (1.001e-5 − 1e-5) gives the same scale.
//  - Keras' ResNet preprocessing is "caffe" (BGR, mean subtracted, no scaling): the stem kernel's input
//    channels are reversed so our RGB input works, and the spec records mean = caffe's means / 255, std = 1/255.
// Keras pads its strided layers symmetrically (ZeroPadding2D), as our 'torchvision' padding does. One
// difference stays: Keras' ResNet v1 strides a bottleneck's first 1×1 conv, ours (torchvision's v1.5) its
// 3×3, so outputs differ from Keras' even though every weight fits; fine-tuning adapts.
import type { Normalize } from '@resnet-edge/shared/preprocess/spec';
import { BN_EPSILON } from '../models/layers.ts';
import type { StateDict } from './tensors.ts';

const KERAS_BN_EPSILON = 1.001e-5;
/** keras.applications.imagenet_utils 'caffe' mode means (B, G, R), in pixel units. */
const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68];

export const KERAS_RESNET_NORMALIZE: Normalize = {
  kind: 'mean_std',
  mean: [...CAFFE_MEAN_BGR].reverse().map((m) => m / 255),
  std: [1 / 255, 1 / 255, 1 / 255],
};

/** A TF.js-converted Keras application has biases on the convs that precede BatchNorm; our nets have none. */
export function isKerasApplication(dict: StateDict): boolean {
  return dict.has('conv1_conv/bias');
}

export function fromKeras(dict: StateDict): StateDict {
  const out: StateDict = new Map();
  for (const [name, t] of dict) {
    const [layer, weight] = name.split('/') as [string, string];
    if (layer.endsWith('_conv') && weight === 'bias') continue; // folded into the BN below
    if (layer.endsWith('_bn') && weight === 'moving_mean') {
      const bias = dict.get(`${layer.slice(0, -3)}_conv/bias`);
      out.set(name, bias ? { shape: t.shape, data: t.data.map((m, i) => m - bias.data[i]!) } : t);
      continue;
    }
    if (layer.endsWith('_bn') && weight === 'moving_variance') {
      out.set(name, { shape: t.shape, data: t.data.map((v) => v + (KERAS_BN_EPSILON - BN_EPSILON)) });
      continue;
    }
    if (name === 'conv1_conv/kernel' && t.shape[2] === 3) {
      out.set(name, reverseInputChannels(t.data, t.shape));
      continue;
    }
    out.set(name, t);
  }
  return out;
}

function reverseInputChannels(data: Float32Array, shape: number[]) {
  const [h, w, ci, co] = shape as [number, number, number, number];
  const out = new Float32Array(data.length);
  for (let p = 0; p < h * w; p++) {
    for (let c = 0; c < ci; c++)
      out.set(data.subarray((p * ci + c) * co, (p * ci + c + 1) * co), (p * ci + (ci - 1 - c)) * co);
  }
  return { shape, data: out };
}
