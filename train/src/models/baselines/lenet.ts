// LeNet-5 (LeCun et al. 1998): two 5×5 'valid' convs each followed by 2×2 average pooling, then
// 120 → 84 → classes. ReLU instead of the original scaled tanh, as modern re-implementations do.
import * as tfl from '@tensorflow/tfjs-layers';
import { logits, headUnits } from '../head.ts';
import type { Tensor } from '../layers.ts';
import type { NetworkOptions } from '../resnet.ts';
import { convParams, convRelu, denseParams, denseRelu, flatten, outSize, smallestInput } from './common.ts';

const side = (n: number) =>
  outSize(outSize(outSize(outSize(n, 5, 1, 'valid'), 2, 2, 'valid'), 5, 1, 'valid'), 2, 2, 'valid');

export const LENET_MIN_INPUT = smallestInput(side);

function avgPool(x: Tensor, name: string): Tensor {
  return tfl.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'valid', name }).apply(x) as Tensor;
}

export function lenet(opts: NetworkOptions): tfl.LayersModel {
  const input = tfl.input({ shape: opts.inputShape, name: 'input' });
  let x = avgPool(convRelu(input, 6, 5, 1, 'conv1', 'valid'), 'pool1');
  x = avgPool(convRelu(x, 16, 5, 1, 'conv2', 'valid'), 'pool2');
  x = denseRelu(flatten(x), 120, 'fc1');
  x = denseRelu(x, 84, 'fc2');
  return tfl.model({ inputs: input, outputs: logits(x, opts.numClasses, opts.head), name: 'lenet' });
}

export function lenetParams(opts: NetworkOptions): number {
  const [h, w, c] = opts.inputShape;
  const flat = side(h) * side(w) * 16;
  return (
    convParams(5, c, 6, true) +
    convParams(5, 6, 16, true) +
    denseParams(flat, 120) +
    denseParams(120, 84) +
    denseParams(84, headUnits(opts.numClasses, opts.head))
  );
}
