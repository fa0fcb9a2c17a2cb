// Shape arithmetic shared by the conv gradient kernels: where each gradient, rewritten as a forward
// convolution, needs explicit padding (or cropping, when the forward pass never read the last rows).
import { backend_util } from '@tensorflow/tfjs-core';

export type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

export function forwardConvInfo(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: number | [number, number],
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  dataFormat: 'NHWC' | 'NCHW',
): backend_util.Conv2DInfo {
  if (dataFormat !== 'NHWC') throw new Error(`wasm conv gradients support NHWC only, got ${dataFormat}`);
  return backend_util.computeConv2DInfo(xShape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
}
