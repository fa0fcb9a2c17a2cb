// The two residual blocks of He et al. Both share one signature; the stage decides stride and shortcut.
// Layer names follow Keras applications: `<block>_1_conv` … `<block>_0_conv` for the projection shortcut,
// `<block>_add` for the sum and `<block>_out` for the ReLU after it. With `residual: false` the same layers
// are built without the shortcut (the paper's "plain" networks).
import * as tfl from '@tensorflow/tfjs-layers';
import { batchNorm, conv1x1, conv3x3, relu, type PaddingStyle, type Tensor } from './layers.ts';
import { EXPANSION, type BlockKind } from './table.ts';

export interface BlockArgs {
  /** Width of the 3×3 conv(s); output channels are width × expansion. */
  width: number;
  stride: number;
  /** Project the shortcut with 1×1 conv + BN (shape changes); otherwise identity. */
  project: boolean;
  residual: boolean;
  /** Layer-name prefix, e.g. `conv4_block3`. */
  name: string;
  /** How the strided 3×3 pads (layers.ts); default 'same'. */
  padding?: PaddingStyle;
}

export type Block = (x: Tensor, args: BlockArgs) => Tensor;

/** Shortcut branch, then "add identity, then ReLU" (or just ReLU for a plain network). */
function finish(x: Tensor, out: Tensor, args: BlockArgs, outChannels: number): Tensor {
  if (!args.residual) return relu(out, `${args.name}_out`);
  const shortcut = args.project
    ? batchNorm(conv1x1(x, outChannels, args.stride, `${args.name}_0_conv`), `${args.name}_0_bn`)
    : x;
  const sum = tfl.layers.add({ name: `${args.name}_add` }).apply([shortcut, out]) as Tensor;
  return relu(sum, `${args.name}_out`);
}

/** 3×3 → 3×3 (ResNet-18/34 and the CIFAR family). */
export function basicBlock(x: Tensor, args: BlockArgs): Tensor {
  const n = args.name;
  let y = relu(batchNorm(conv3x3(x, args.width, args.stride, `${n}_1_conv`, args.padding), `${n}_1_bn`), `${n}_1_relu`);
  y = batchNorm(conv3x3(y, args.width, 1, `${n}_2_conv`), `${n}_2_bn`);
  return finish(x, y, args, args.width * EXPANSION.basic);
}

/** 1×1 reduce → 3×3 → 1×1 expand ×4 (ResNet-50/101/152). Strides on the 3×3, as torchvision's "v1.5". */
export function bottleneckBlock(x: Tensor, args: BlockArgs): Tensor {
  const n = args.name;
  const out = args.width * EXPANSION.bottleneck;
  let y = relu(batchNorm(conv1x1(x, args.width, 1, `${n}_1_conv`), `${n}_1_bn`), `${n}_1_relu`);
  y = relu(batchNorm(conv3x3(y, args.width, args.stride, `${n}_2_conv`, args.padding), `${n}_2_bn`), `${n}_2_relu`);
  y = batchNorm(conv1x1(y, out, 1, `${n}_3_conv`), `${n}_3_bn`);
  return finish(x, y, args, out);
}

export const BLOCKS: Record<BlockKind, Block> = { basic: basicBlock, bottleneck: bottleneckBlock };
