// A stage (torchvision's `_make_layer`, Keras' `stack`): the one place that decides stride and shortcut.
import { BLOCKS } from './blocks.ts';
import { channels, type PaddingStyle, type Tensor } from './layers.ts';
import { EXPANSION, type BlockKind, type StageSpec } from './table.ts';

/** Only the first block strides; it projects only when stride ≠ 1 or the channel count changes. */
export function needsProjection(stride: number, inChannels: number, width: number, block: BlockKind): boolean {
  return stride !== 1 || inChannels !== width * EXPANSION[block];
}

export function stage(
  x: Tensor,
  spec: StageSpec,
  block: BlockKind,
  residual: boolean,
  padding: PaddingStyle = 'same',
): Tensor {
  let y = x;
  for (let i = 0; i < spec.blocks; i++) {
    const stride = i === 0 ? spec.stride : 1;
    const project = needsProjection(stride, channels(y), spec.width, block);
    y = BLOCKS[block](y, { width: spec.width, stride, project, residual, padding, name: `${spec.name}_block${i + 1}` });
  }
  return y;
}
