// The model zoo's public API: which architectures exist, how to build one, how many parameters it has.
// The trainer, the quantizer and `resnet-edge archs` use only this file.
import type * as tfl from '@tensorflow/tfjs-layers';
import { alexnet, alexnetParams, ALEXNET_MIN_INPUT } from './baselines/alexnet.ts';
import { googlenet, googlenetParams, GOOGLENET_MIN_INPUT } from './baselines/googlenet.ts';
import { lenet, lenetParams, LENET_MIN_INPUT } from './baselines/lenet.ts';
import { vgg16, vgg16Params, VGG16_MIN_INPUT } from './baselines/vgg.ts';
import { resnetParams } from './count.ts';
import { ModelError } from './errors.ts';
import type { HeadKind } from './head.ts';
import type { PaddingStyle } from './layers.ts';
import { resnet } from './resnet.ts';
import { RESNET_TABLE, type ResNetName, type ResNetSpec } from './table.ts';

export { ModelError } from './errors.ts';
export type { HeadKind } from './head.ts';
export type { PaddingStyle } from './layers.ts';
export { RESNET_TABLE, EXPANSION, type ResNetSpec, type BlockKind } from './table.ts';

export type ArchFamily = 'resnet' | 'resnet-cifar' | 'plain' | 'plain-cifar' | 'baseline';

export interface ArchInfo {
  name: string;
  family: ArchFamily;
  description: string;
  /** Smallest input height/width accepted (the network's total downsampling, or where a 'valid' layer runs out). */
  minInputSize: number;
}

export interface BuildOptions {
  inputShape: [number, number, number];
  numClasses: number;
  /** 'sigmoid' means one logit for a two-class problem; both heads output logits (no activation). */
  head?: HeadKind;
  /** Residual and plain nets only: 'torchvision' pads strided layers as PyTorch does (models/layers.ts). */
  padding?: PaddingStyle;
}

interface Architecture extends ArchInfo {
  build(opts: BuildOptions): tfl.LayersModel;
  params(opts: BuildOptions): number;
}

function residualArch(name: ResNetName, spec: ResNetSpec, residual: boolean): Architecture {
  const cifar = spec.stem.kind === 'cifar';
  const archName = residual ? name : name.replace('resnet', 'plain');
  const blocks = spec.stages.map((s) => s.blocks).join('-');
  const kind = spec.block === 'basic' ? 'basic 3×3-3×3 blocks' : 'bottleneck 1×1-3×3-1×1 blocks';
  return {
    name: archName,
    family: `${residual ? 'resnet' : 'plain'}${cifar ? '-cifar' : ''}` as ArchFamily,
    description: `${residual ? 'ResNet' : 'Plain'}-${spec.depth}${residual ? '' : ' (no shortcuts)'}, ${cifar ? 'CIFAR' : 'ImageNet'} stem, ${kind} [${blocks}]`,
    minInputSize: spec.downsampling,
    build: (opts) => resnet(spec, { ...opts, residual, name: archName }),
    params: (opts) => resnetParams(spec, opts, residual),
  };
}

const RESNETS = Object.entries(RESNET_TABLE) as [ResNetName, ResNetSpec][];

const ARCHS: Architecture[] = [
  ...RESNETS.map(([name, spec]) => residualArch(name, spec, true)),
  ...RESNETS.map(([name, spec]) => residualArch(name, spec, false)),
  {
    name: 'lenet',
    family: 'baseline',
    description: 'LeNet-5 (1998), ReLU, average pooling',
    minInputSize: LENET_MIN_INPUT,
    build: lenet,
    params: lenetParams,
  },
  {
    name: 'alexnet',
    family: 'baseline',
    description: 'AlexNet (2012), single-tower torchvision form',
    minInputSize: ALEXNET_MIN_INPUT,
    build: alexnet,
    params: alexnetParams,
  },
  {
    name: 'vgg16',
    family: 'baseline',
    description: 'VGG-16 (2014), configuration D, no BatchNorm',
    minInputSize: VGG16_MIN_INPUT,
    build: vgg16,
    params: vgg16Params,
  },
  {
    name: 'googlenet',
    family: 'baseline',
    description: 'GoogLeNet / Inception v1 (2014) with BatchNorm, no auxiliary heads',
    minInputSize: GOOGLENET_MIN_INPUT,
    build: googlenet,
    params: googlenetParams,
  },
];

export const ARCHITECTURES: ArchInfo[] = ARCHS.map(({ name, family, description, minInputSize }) => ({
  name,
  family,
  description,
  minInputSize,
}));

function lookup(arch: string, opts: BuildOptions): Architecture {
  const a = ARCHS.find((x) => x.name === arch);
  if (!a)
    throw new ModelError(
      'unknown_arch',
      `unknown architecture '${arch}'; known: ${ARCHS.map((x) => x.name).join(', ')}`,
    );
  const shape = opts.inputShape;
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new ModelError(
      'bad_options',
      `inputShape must be [height, width, channels] of positive integers, got ${JSON.stringify(shape)}`,
    );
  }
  const [h, w] = shape;
  if (h < a.minInputSize || w < a.minInputSize) {
    throw new ModelError(
      'input_too_small',
      `${arch} needs inputs of at least ${a.minInputSize}×${a.minInputSize}, got ${h}×${w}`,
    );
  }
  return a;
}

export function buildModel(arch: string, opts: BuildOptions): tfl.LayersModel {
  const a = lookup(arch, opts);
  a.params(opts); // validates numClasses/head before any layer is created
  return a.build(opts);
}

/** Parameters counted as torchvision does (no BatchNorm moving statistics), without building the model. */
export function countParams(arch: string, opts: BuildOptions): number {
  return lookup(arch, opts).params(opts);
}

/** TF.js' own count of a built model's trainable weights: comparable to `countParams`. */
export function trainableParams(model: tfl.LayersModel): number {
  return model.trainableWeights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
}
