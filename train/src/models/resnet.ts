// The network: stem → stages (Table 1) → global average pooling → logits. The same function builds the
// "plain" counterparts with `residual: false`.
import * as tfl from '@tensorflow/tfjs-layers';
import { logits, type HeadKind } from './head.ts';
import { convBnRelu, maxPool, torchMaxPool, type PaddingStyle, type Tensor } from './layers.ts';
import { stage } from './stage.ts';
import type { ResNetSpec } from './table.ts';

export interface NetworkOptions {
  inputShape: [number, number, number];
  numClasses: number;
  head?: HeadKind;
  /** 'torchvision' to compute what torchvision's ResNets compute (for imported weights); default 'same'. */
  padding?: PaddingStyle;
}

function stem(x: Tensor, spec: ResNetSpec, padding: PaddingStyle): Tensor {
  if (spec.stem === 'cifar') return convBnRelu(x, spec.stemWidth, 3, 1, 'conv1');
  const y = convBnRelu(x, spec.stemWidth, 7, 2, 'conv1', padding);
  return padding === 'torchvision' ? torchMaxPool(y, 3, 2, 'pool1_pool') : maxPool(y, 3, 2, 'pool1_pool');
}

export function resnet(spec: ResNetSpec, opts: NetworkOptions & { residual: boolean; name: string }): tfl.LayersModel {
  const input = tfl.input({ shape: opts.inputShape, name: 'input' });
  const padding = opts.padding ?? 'same';
  let x = stem(input, spec, padding);
  for (const s of spec.stages) x = stage(x, s, spec.block, opts.residual, padding);
  x = tfl.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as Tensor;
  return tfl.model({ inputs: input, outputs: logits(x, opts.numClasses, opts.head), name: opts.name });
}
