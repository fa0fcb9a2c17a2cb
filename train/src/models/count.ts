// Parameter counts from Table 1 without building the network (ResNet-152 or VGG-16 at 224×224 would
// allocate hundreds of MB just to be counted). Counted as torchvision does (`sum(p.numel() for p in
// model.parameters())`): conv and dense weights, biases, BatchNorm gamma and beta. BatchNorm's moving
// mean and variance are buffers, not parameters, in torchvision and non-trainable weights in TF.js, so
// they are excluded; the count equals a built model's trainable-weight count (tests check both agree).
import { headUnits } from './head.ts';
import type { NetworkOptions } from './resnet.ts';
import { needsProjection } from './stage.ts';
import { EXPANSION, type ResNetSpec } from './table.ts';

const conv = (k: number, cin: number, cout: number) => k * k * cin * cout;
const bn = (c: number) => 2 * c;

function blockParams(spec: ResNetSpec, cin: number, width: number, stride: number, residual: boolean): number {
  const out = width * EXPANSION[spec.block];
  const body =
    spec.block === 'basic'
      ? conv(3, cin, width) + bn(width) + conv(3, width, width) + bn(width)
      : conv(1, cin, width) + bn(width) + conv(3, width, width) + bn(width) + conv(1, width, out) + bn(out);
  const projection = residual && needsProjection(stride, cin, width, spec.block) ? conv(1, cin, out) + bn(out) : 0;
  return body + projection;
}

export function resnetParams(spec: ResNetSpec, opts: NetworkOptions, residual: boolean): number {
  const { kernel, width } = spec.stem;
  let total = conv(kernel, opts.inputShape[2], width) + bn(width);
  let c = width;
  for (const s of spec.stages) {
    for (let i = 0; i < s.blocks; i++) {
      total += blockParams(spec, c, s.width, i === 0 ? s.stride : 1, residual);
      c = s.width * EXPANSION[spec.block];
    }
  }
  const units = headUnits(opts.numClasses, opts.head);
  return total + c * units + units;
}
