// VGG-16 (Simonyan & Zisserman 2014, configuration D): five blocks of 3×3 convs (64, 128, 256, 512, 512)
// each closed by a 2×2/2 max-pool, then 4096-4096 fully connected with dropout 0.5. No BatchNorm.
import * as tfl from '@tensorflow/tfjs-layers';
import { headUnits, logits } from '../head.ts';
import { maxPool } from '../layers.ts';
import type { NetworkOptions } from '../resnet.ts';
import { convParams, convRelu, denseParams, denseRelu, dropout, flatten } from './common.ts';

/** Configuration D: [convs in the block, filters]. */
const VGG16_BLOCKS = [
  [2, 64],
  [2, 128],
  [3, 256],
  [3, 512],
  [3, 512],
] as const;

const side = (n: number) => Math.floor(n / 2 ** VGG16_BLOCKS.length);

export const VGG16_MIN_INPUT = 2 ** VGG16_BLOCKS.length;

export function vgg16(opts: NetworkOptions): tfl.LayersModel {
  const input = tfl.input({ shape: opts.inputShape, name: 'input' });
  let x = input;
  VGG16_BLOCKS.forEach(([convs, filters], b) => {
    for (let i = 0; i < convs; i++) x = convRelu(x, filters, 3, 1, `block${b + 1}_conv${i + 1}`);
    x = maxPool(x, 2, 2, `block${b + 1}_pool`, 'valid');
  });
  x = denseRelu(flatten(x), 4096, 'fc1');
  x = denseRelu(dropout(x, 0.5, 'drop1'), 4096, 'fc2');
  x = dropout(x, 0.5, 'drop2');
  return tfl.model({ inputs: input, outputs: logits(x, opts.numClasses, opts.head), name: 'vgg16' });
}

export function vgg16Params(opts: NetworkOptions): number {
  const [h, w, cin] = opts.inputShape;
  let total = 0;
  let prev: number = cin;
  for (const [convs, filters] of VGG16_BLOCKS) {
    for (let i = 0; i < convs; i++) {
      total += convParams(3, prev, filters, true);
      prev = filters;
    }
  }
  return (
    total +
    denseParams(side(h) * side(w) * prev, 4096) +
    denseParams(4096, 4096) +
    denseParams(4096, headUnits(opts.numClasses, opts.head))
  );
}
