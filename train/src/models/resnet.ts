// The network: stem → stages (Table 1) → global average pooling → logits. The same function builds the
// "plain" counterparts with `residual: false`.
import * as tfl from '@tensorflow/tfjs-layers';
import { logits, type HeadKind } from './head.ts';
import { convBnRelu, maxPool, torchMaxPool, type PaddingStyle, type Tensor } from './layers.ts';
import { stage } from './stage.ts';
import type { ResNetSpec, StemSpec } from './table.ts';

export interface NetworkOptions {
  inputShape: [number, number, number];
  numClasses: number;
  head?: HeadKind;
  /** 'torchvision' to compute what torchvision's ResNets compute (for imported weights); default 'same'. */
  padding?: PaddingStyle;
}

function stem(x: Tensor, { kernel, stride, width, maxPool: pool }: StemSpec, padding: PaddingStyle): Tensor {
  const y = convBnRelu(x, width, kernel, stride, 'conv1', padding);
  if (!pool) return y;
  return padding === 'torchvision'
    ? torchMaxPool(y, pool.size, pool.stride, 'pool1_pool')
    : maxPool(y, pool.size, pool.stride, 'pool1_pool');
}

function pooling(x: Tensor, kind: ResNetSpec['pooling']): Tensor {
  switch (kind) {
    case 'global_average':
      return tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as Tensor;
  }
}

export function resnet(spec: ResNetSpec, opts: NetworkOptions & { residual: boolean; name: string }): tfl.LayersModel {
  const input = tfl.input({ shape: opts.inputShape, name: 'input' });
  const padding = opts.padding ?? 'same';
  let x = stem(input, spec.stem, padding);
  for (const s of spec.stages) x = stage(x, s, spec.block, opts.residual, padding);
  x = pooling(x, spec.pooling);
  return tfl.model({ inputs: input, outputs: logits(x, opts.numClasses, opts.head), name: opts.name });
}
