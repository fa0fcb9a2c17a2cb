// GoogLeNet / Inception v1 (Szegedy et al. 2014, Table 1) with its nine Inception modules. As in
// torchvision, every conv is conv (no bias) + BatchNorm + ReLU instead of the paper's LRN, and the two
// auxiliary classifiers are left out (they only help training of the original, un-normalised network, and
// are discarded at inference anyway). Unlike torchvision, the third branch uses the paper's 5×5 conv.
import * as tfl from '@tensorflow/tfjs-layers';
import { headUnits, logits } from '../head.ts';
import { channels, convBnRelu, maxPool, type Tensor } from '../layers.ts';
import type { NetworkOptions } from '../resnet.ts';
import { bnParams, convParams, denseParams, dropout } from './common.ts';

/** Table 1 of the paper: #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj. `poolBefore`: 3×3/2 max-pool first. */
interface InceptionSpec {
  name: string;
  poolBefore: boolean;
  b1: number;
  b2r: number;
  b2: number;
  b3r: number;
  b3: number;
  b4: number;
}

const INCEPTION: InceptionSpec[] = [
  { name: 'inception3a', poolBefore: false, b1: 64, b2r: 96, b2: 128, b3r: 16, b3: 32, b4: 32 },
  { name: 'inception3b', poolBefore: false, b1: 128, b2r: 128, b2: 192, b3r: 32, b3: 96, b4: 64 },
  { name: 'inception4a', poolBefore: true, b1: 192, b2r: 96, b2: 208, b3r: 16, b3: 48, b4: 64 },
  { name: 'inception4b', poolBefore: false, b1: 160, b2r: 112, b2: 224, b3r: 24, b3: 64, b4: 64 },
  { name: 'inception4c', poolBefore: false, b1: 128, b2r: 128, b2: 256, b3r: 24, b3: 64, b4: 64 },
  { name: 'inception4d', poolBefore: false, b1: 112, b2r: 144, b2: 288, b3r: 32, b3: 64, b4: 64 },
  { name: 'inception4e', poolBefore: false, b1: 256, b2r: 160, b2: 320, b3r: 32, b3: 128, b4: 128 },
  { name: 'inception5a', poolBefore: true, b1: 256, b2r: 160, b2: 320, b3r: 32, b3: 128, b4: 128 },
  { name: 'inception5b', poolBefore: false, b1: 384, b2r: 192, b2: 384, b3r: 48, b3: 128, b4: 128 },
];

/** Five stride-2 steps (conv1, pool1, pool2, before 4a, before 5a), all 'same' padded. */
export const GOOGLENET_MIN_INPUT = 32;

function inception(x: Tensor, s: InceptionSpec): Tensor {
  const b1 = convBnRelu(x, s.b1, 1, 1, `${s.name}_1x1`);
  const b2 = convBnRelu(convBnRelu(x, s.b2r, 1, 1, `${s.name}_3x3_reduce`), s.b2, 3, 1, `${s.name}_3x3`);
  const b3 = convBnRelu(convBnRelu(x, s.b3r, 1, 1, `${s.name}_5x5_reduce`), s.b3, 5, 1, `${s.name}_5x5`);
  const b4 = convBnRelu(maxPool(x, 3, 1, `${s.name}_pool`), s.b4, 1, 1, `${s.name}_pool_proj`);
  return tfl.layers.concatenate({ axis: -1, name: `${s.name}_concat` }).apply([b1, b2, b3, b4]) as Tensor;
}

export function googlenet(opts: NetworkOptions): tfl.LayersModel {
  const input = tfl.input({ shape: opts.inputShape, name: 'input' });
  let x = maxPool(convBnRelu(input, 64, 7, 2, 'conv1'), 3, 2, 'pool1');
  x = convBnRelu(convBnRelu(x, 64, 1, 1, 'conv2_reduce'), 192, 3, 1, 'conv2');
  x = maxPool(x, 3, 2, 'pool2');
  for (const s of INCEPTION) {
    if (s.poolBefore) x = maxPool(x, 3, 2, `${s.name}_prepool`);
    x = inception(x, s);
  }
  x = tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as Tensor;
  x = dropout(x, 0.4, 'dropout');
  if (channels(x) !== 1024) throw new Error(`GoogLeNet should end with 1024 channels, got ${channels(x)}`);
  return tfl.model({ inputs: input, outputs: logits(x, opts.numClasses, opts.head), name: 'googlenet' });
}

export function googlenetParams(opts: NetworkOptions): number {
  const cbr = (k: number, cin: number, cout: number) => convParams(k, cin, cout, false) + bnParams(cout);
  let total = cbr(7, opts.inputShape[2], 64) + cbr(1, 64, 64) + cbr(3, 64, 192);
  let c = 192;
  for (const s of INCEPTION) {
    total +=
      cbr(1, c, s.b1) +
      cbr(1, c, s.b2r) +
      cbr(3, s.b2r, s.b2) +
      cbr(1, c, s.b3r) +
      cbr(5, s.b3r, s.b3) +
      cbr(1, c, s.b4);
    c = s.b1 + s.b2 + s.b3 + s.b4;
  }
  return total + denseParams(c, headUnits(opts.numClasses, opts.head));
}
