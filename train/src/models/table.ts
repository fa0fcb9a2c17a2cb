// He et al. 2015, Table 1 (ImageNet) and Section 4.2 (CIFAR-10), as data. The builder (resnet.ts), the
// analytic parameter count (count.ts), the exporter and `resnet-edge archs` all read this one table.

export type BlockKind = 'basic' | 'bottleneck';

/** Output channels of a block = width × expansion (a bottleneck's 1×1 conv widens by 4). */
export const EXPANSION: Record<BlockKind, number> = { basic: 1, bottleneck: 4 };

/** Which stem a network has: `imagenet` (Table 1) or `cifar` (Section 4.2). Named so `archs` can say it. */
export type StemKind = 'imagenet' | 'cifar';

/** The layers before the first stage: one conv → BN → ReLU, then an optional max-pool. */
export interface StemSpec {
  kind: StemKind;
  kernel: number;
  stride: number;
  width: number;
  maxPool: { size: number; stride: number } | null;
}

export interface StageSpec {
  /** Paper name of the stage (`conv2` … `conv5`); also the layer-name prefix. */
  name: string;
  blocks: number;
  /** Width of the block's 3×3 convs; the block outputs width × expansion channels. */
  width: number;
  /** Stride of the stage's first block (the only one that strides). */
  stride: number;
}

export interface ResNetSpec {
  depth: number;
  stem: StemSpec;
  block: BlockKind;
  stages: StageSpec[];
  /** What turns the last stage's feature map into the head's input; every ResNet in the paper uses this one. */
  pooling: 'global_average';
  /** Total stride of stem and stages: the smallest input side that still leaves a 1×1 final feature map. */
  downsampling: number;
}

/** 7×7/2 conv (64) + 3×3/2 max-pool: total stride 4 before conv2. */
const IMAGENET_STEM: StemSpec = { kind: 'imagenet', kernel: 7, stride: 2, width: 64, maxPool: { size: 3, stride: 2 } };
const IMAGENET_WIDTHS = [64, 128, 256, 512] as const;
const CIFAR_WIDTHS = [16, 32, 64] as const;
/** One 3×3 conv with the first stage's width and no pooling: a 32×32 image keeps its resolution into conv2. */
const CIFAR_STEM: StemSpec = { kind: 'cifar', kernel: 3, stride: 1, width: CIFAR_WIDTHS[0], maxPool: null };

function network(depth: number, stem: StemSpec, block: BlockKind, stages: StageSpec[]): ResNetSpec {
  const stemStride = stem.stride * (stem.maxPool?.stride ?? 1);
  const downsampling = stages.reduce((f, s) => f * s.stride, stemStride);
  return { depth, stem, block, stages, pooling: 'global_average', downsampling };
}

function imagenet(depth: number, block: BlockKind, blocksPerStage: readonly number[]): ResNetSpec {
  // conv2 follows the max-pool, so it keeps the resolution; conv3..conv5 halve it.
  const stages = blocksPerStage.map((blocks, i) => ({
    name: `conv${i + 2}`,
    blocks,
    width: IMAGENET_WIDTHS[i]!,
    stride: i === 0 ? 1 : 2,
  }));
  return network(depth, IMAGENET_STEM, block, stages);
}

/**
 * CIFAR family: depth = 6n + 2, n BasicBlocks per stage, widths 16/32/64. Where the shape changes we use a
 * projection shortcut (1×1 conv + BN, the paper's option B) instead of the paper's CIFAR option A
 * (zero-padding identity): it is the same rule as the ImageNet family and maps to plain TFLite ops.
 * It adds 2 projections (≈ 0.7 k parameters for ResNet-20).
 */
function cifar(depth: number): ResNetSpec {
  const n = (depth - 2) / 6;
  const stages = CIFAR_WIDTHS.map((width, i) => ({ name: `conv${i + 2}`, blocks: n, width, stride: i === 0 ? 1 : 2 }));
  return network(depth, CIFAR_STEM, 'basic', stages);
}

/** One line per depth, as in the paper. */
export const RESNET_TABLE = {
  resnet18: imagenet(18, 'basic', [2, 2, 2, 2]),
  resnet34: imagenet(34, 'basic', [3, 4, 6, 3]),
  resnet50: imagenet(50, 'bottleneck', [3, 4, 6, 3]),
  resnet101: imagenet(101, 'bottleneck', [3, 4, 23, 3]),
  resnet152: imagenet(152, 'bottleneck', [3, 8, 36, 3]),
  resnet20: cifar(20),
  resnet32: cifar(32),
  resnet44: cifar(44),
  resnet56: cifar(56),
  resnet110: cifar(110),
} as const satisfies Record<string, ResNetSpec>;

export type ResNetName = keyof typeof RESNET_TABLE;
