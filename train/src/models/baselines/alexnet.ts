// AlexNet (Krizhevsky et al. 2012) in torchvision's single-tower form: 64-192-384-256-256 convs,
// three 3×3/2 max-pools, 4096-4096 fully connected with dropout 0.5. Without torchvision's adaptive
// pooling, the flatten size follows the input (at 224×224 it is 256×6×6, torchvision's 61,100,840 params).
import * as tfl from '@tensorflow/tfjs-layers';
import { headUnits, logits } from '../head.ts';
import { maxPool } from '../layers.ts';
import type { NetworkOptions } from '../resnet.ts';
import { convParams, convRelu, denseParams, denseRelu, dropout, flatten, outSize, smallestInput } from './common.ts';

const pool = (n: number) => outSize(n, 3, 2, 'valid');
const side = (n: number) => pool(pool(pool(outSize(n, 11, 4, 'same'))));

export const ALEXNET_MIN_INPUT = smallestInput(side);

const CONVS = [
  { name: 'conv1', filters: 64, kernel: 11, stride: 4, poolAfter: true },
  { name: 'conv2', filters: 192, kernel: 5, stride: 1, poolAfter: true },
  { name: 'conv3', filters: 384, kernel: 3, stride: 1, poolAfter: false },
  { name: 'conv4', filters: 256, kernel: 3, stride: 1, poolAfter: false },
  { name: 'conv5', filters: 256, kernel: 3, stride: 1, poolAfter: true },
] as const;

export function alexnet(opts: NetworkOptions): tfl.LayersModel {
  const input = tfl.input({ shape: opts.inputShape, name: 'input' });
  let x = input;
  for (const c of CONVS) {
    x = convRelu(x, c.filters, c.kernel, c.stride, c.name);
    if (c.poolAfter) x = maxPool(x, 3, 2, `${c.name}_pool`, 'valid');
  }
  x = denseRelu(dropout(flatten(x), 0.5, 'drop1'), 4096, 'fc1');
  x = denseRelu(dropout(x, 0.5, 'drop2'), 4096, 'fc2');
  return tfl.model({ inputs: input, outputs: logits(x, opts.numClasses, opts.head), name: 'alexnet' });
}

export function alexnetParams(opts: NetworkOptions): number {
  const [h, w, cin] = opts.inputShape;
  let total = 0;
  let prev = cin;
  for (const c of CONVS) {
    total += convParams(c.kernel, prev, c.filters, true);
    prev = c.filters;
  }
  return (
    total +
    denseParams(side(h) * side(w) * prev, 4096) +
    denseParams(4096, 4096) +
    denseParams(4096, headUnits(opts.numClasses, opts.head))
  );
}
