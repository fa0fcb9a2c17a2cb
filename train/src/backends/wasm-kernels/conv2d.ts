// Convolutions on train/wasm/conv-forward.ts: the forward pass (Conv2D, and FusedConv2D without bias or
// activation: what every conv before a BatchNorm is) and the input gradient, which is the forward kernel run
// over the output gradient spread out by the stride and padded, with the filter flipped and its channels swapped.
// Everything else (bias, activations, dilation, output channels not a multiple of 8) stays with XNNPACK.
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { FusedConv2DAttrs } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { offsetOf, trainKernels } from './train-module.ts';
import { release } from './run-kernel.ts';

export interface ConvGeometry {
  batch: number;
  /** Input rows, columns and channels before spreading and padding. */
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  /** The convolution's own strides (1 for an input gradient: its stride went into `spread`). */
  strideH: number;
  strideW: number;
  /** How far apart input rows/columns are placed, and where the first one goes. */
  spreadH: number;
  spreadW: number;
  top: number;
  left: number;
}

type FilterReader = (kh: number, kw: number, ci: number, co: number) => number;

/** Filter blocks as conv-forward.ts reads them; `filter()` gives the reader `at(kh, kw, ci, co)` of the filter. */
function packFilter(backend: BackendWasm, g: ConvGeometry, filter: () => FilterReader): TensorInfo {
  const k = g.kH * g.kW * g.inC;
  const packed = backend.makeOutput([g.outC / 8, k, 8], 'float32');
  // The filter's view is taken only now: allocating `packed` may grow the heap, which detaches views taken before
  // (a detached view reads undefined, and the packed filter became NaN: a 2-worker ResNet-20 run diverged so).
  const out = backend.typedArrayFromHeap(packed) as Float32Array;
  const at = filter();
  let i = 0;
  for (let b = 0; b < g.outC; b += 8) {
    for (let kh = 0; kh < g.kH; kh++) {
      for (let kw = 0; kw < g.kW; kw++) {
        for (let ci = 0; ci < g.inC; ci++) {
          for (let co = b; co < b + 8; co++) out[i++] = at(kh, kw, ci, co);
        }
      }
    }
  }
  return packed;
}

/** Runs the convolution; `filter(kh, kw, ci, co)` is read after every allocation, so views stay valid. */
export function convolve(backend: BackendWasm, x: TensorInfo, g: ConvGeometry, filter: () => FilterReader): TensorInfo {
  // Rows the kernel reads; a VALID layer may leave input rows past them unread, which still need a place.
  const hp = Math.max((g.outH - 1) * g.strideH + g.kH, g.top + (g.inH - 1) * g.spreadH + 1);
  const wp = Math.max((g.outW - 1) * g.strideW + g.kW, g.left + (g.inW - 1) * g.spreadW + 1);
  const padded = backend.makeOutput([g.batch, hp, wp, g.inC], 'float32');
  const out = backend.makeOutput([g.batch, g.outH, g.outW, g.outC], 'float32');
  const params = backend.makeOutput([14], 'int32');
  const packed = packFilter(backend, g, filter);
  const k = trainKernels(backend);
  k.spread(
    offsetOf(backend, x),
    g.batch,
    g.inH,
    g.inW,
    g.inC,
    g.spreadH,
    g.spreadW,
    g.top,
    g.left,
    hp,
    wp,
    offsetOf(backend, padded),
  );
  (backend.typedArrayFromHeap(params) as Int32Array).set([
    g.batch,
    hp,
    wp,
    g.inC,
    g.outH,
    g.outW,
    g.outC,
    g.kH,
    g.kW,
    g.strideH,
    g.strideW,
    offsetOf(backend, padded),
    offsetOf(backend, packed),
    offsetOf(backend, out),
  ]);
  k.convForward(offsetOf(backend, params));
  release(backend, padded, params, packed);
  return out;
}

/** A forward convolution's geometry from tfjs' own shape arithmetic. */
export function forwardGeometry(info: backend_util.Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    spreadH: 1,
    spreadW: 1,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
}

/** dx as a convolution of dy: spread by the stride, padded by k − 1 − pad, flipped filter with Cin ↔ Cout. */
export function inputGradientGeometry(info: backend_util.Conv2DInfo): ConvGeometry {
  return {
    batch: info.batchSize,
    inH: info.outHeight,
    inW: info.outWidth,
    inC: info.outChannels,
    outH: info.inHeight,
    outW: info.inWidth,
    outC: info.inChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    strideH: 1,
    strideW: 1,
    spreadH: info.strideHeight,
    spreadW: info.strideWidth,
    top: info.filterHeight - 1 - info.padInfo.top,
    left: info.filterWidth - 1 - info.padInfo.left,
  };
}

/** Our forward convolution as the wasm kernel `kernelName`; what it does not cover goes to the shipped kernel. */
export const makeConv2DConfig =
  (kernelName: 'Conv2D' | 'FusedConv2D') =>
  (shipped: KernelFunc): KernelConfig => {
    const conv2D: KernelFunc = (args) => {
      const { inputs, attrs } = args;
      const backend = args.backend as BackendWasm;
      const { x, filter, bias, preluActivationWeights } = inputs as Record<string, TensorInfo | undefined>;
      const { strides, pad, dataFormat, dilations, dimRoundingMode, activation } = attrs as unknown as FusedConv2DAttrs;
      const plain = bias == null && preluActivationWeights == null && (activation === 'linear' || activation == null);
      if (!plain || dataFormat !== 'NHWC' || x!.dtype !== 'float32' || !backend_util.tupleValuesAreOne(dilations))
        return shipped(args);
      const info = backend_util.computeConv2DInfo(
        x!.shape as [number, number, number, number],
        filter!.shape as [number, number, number, number],
        strides,
        dilations,
        pad,
        dimRoundingMode,
        false,
        'channelsLast',
      );
      if (info.outChannels % 8 !== 0) return shipped(args);
      const { inChannels: ci, outChannels: co, filterWidth: fw } = info;
      return convolve(backend, x!, forwardGeometry(info), () => {
        const w = backend.typedArrayFromHeap(filter!) as Float32Array;
        return (kh, kw, c, o) => w[((kh * fw + kw) * ci + c) * co + o]!;
      });
    };
    return { kernelName, backendName: 'wasm', kernelFunc: conv2D };
  };
