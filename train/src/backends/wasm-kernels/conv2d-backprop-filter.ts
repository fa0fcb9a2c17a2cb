// dW[kh,kw,ci,co] = Σ_{b,oh,ow} x[b, oh·s + kh − pad, ow·s + kw − pad, ci] · dy[b,oh,ow,co].
// When Cin % 4 == 0 and Cout % 8 == 0 (every ResNet conv but the stem) train/wasm/conv-filter-grad.ts computes
// it in place. Otherwise: read with ci as the batch, b as the input channel and dy as the filter, it is a
// forward conv of transpose(x) by transpose(dy) with dilation = the forward stride, which XNNPACK runs.
import {
  Conv2DBackpropFilter,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import type { Conv2DBackpropFilterAttrs } from '@tensorflow/tfjs-core';
import { forwardConvInfo, type ExplicitPad } from './conv-geometry.ts';
import { release, runWasmKernel } from './run-kernel.ts';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { offsetOf, trainKernels } from './train-module.ts';

/** Rows of output pixels per block: about 16 KiB of dy, which with its x rows stays in L1. */
function rowsPerBlock(outWidth: number, outChannels: number): number {
  return Math.max(1, Math.floor(16384 / (outWidth * outChannels * 4)));
}

function inPlace(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: ReturnType<typeof forwardConvInfo>,
): TensorInfo {
  const dw = backend.makeOutput([info.filterHeight, info.filterWidth, info.inChannels, info.outChannels], 'float32');
  const params = backend.makeOutput([17], 'int32');
  (backend.typedArrayFromHeap(params) as Int32Array).set([
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
    offsetOf(backend, x),
    offsetOf(backend, dy),
    offsetOf(backend, dw),
    rowsPerBlock(info.outWidth, info.outChannels),
  ]);
  trainKernels(backend).convBackpropFilter(offsetOf(backend, params));
  release(backend, params);
  return dw;
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, attrs, ...rest }) => {
  const backend = rest.backend as KernelBackend;
  const x = inputs['x'] as TensorInfo;
  const dy = inputs['dy'] as TensorInfo;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as Conv2DBackpropFilterAttrs;
  const info = forwardConvInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    pad,
    dimRoundingMode,
    dataFormat,
  );
  if (
    info.inChannels % 4 === 0 &&
    info.outChannels % 8 === 0 &&
    info.dilationHeight === 1 &&
    info.dilationWidth === 1 &&
    x.dtype === 'float32'
  ) {
    return inPlace(backend as BackendWasm, x, dy, info);
  }
  const [batch, height, width] = x.shape as [number, number, number, number];
  // Rows/cols the forward pass touched, counted from the first (padded) one.
  const spanH = info.filterHeight + (info.outHeight - 1) * info.strideHeight;
  const spanW = info.filterWidth + (info.outWidth - 1) * info.strideWidth;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;
  const padBottom = spanH - padTop - height;
  const padRight = spanW - padLeft - width;

  const temps: TensorInfo[] = [];
  let input = x;
  if (padBottom < 0 || padRight < 0) {
    // The forward pass never read the last rows/cols (VALID with a stride that does not divide): crop them.
    input = runWasmKernel(
      'Slice',
      backend,
      { x },
      {
        begin: [0, 0, 0, 0],
        size: [batch, height + Math.min(padBottom, 0), width + Math.min(padRight, 0), info.inChannels],
      },
    );
    temps.push(input);
  }
  const xT = runWasmKernel('Transpose', backend, { x: input }, { perm: [3, 1, 2, 0] });
  const dyT = runWasmKernel('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
  temps.push(xT, dyT);
  const explicit: ExplicitPad = [
    [0, 0],
    [padTop, Math.max(padBottom, 0)],
    [padLeft, Math.max(padRight, 0)],
    [0, 0],
  ];
  const gradT = runWasmKernel(
    'Conv2D',
    backend,
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      pad: explicit,
      dataFormat: 'NHWC',
      dilations: [info.strideHeight, info.strideWidth],
      dimRoundingMode: undefined as unknown as string,
    },
  );
  temps.push(gradT);
  const grad = runWasmKernel('Transpose', backend, { x: gradT }, { perm: [1, 2, 0, 3] });
  release(backend, ...temps);
  return grad;
};

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter,
};
