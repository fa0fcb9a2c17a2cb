// dx = conv(zero-upsampled dy, spatially flipped filter with in/out channels swapped), full padding.
// The shipped wasm Conv2DBackpropInput is a scalar loop 5–10× slower than the forward conv. When Cin % 8 == 0
// train/wasm/conv-forward.ts runs this form (conv2d.ts); otherwise XNNPACK's forward conv does, after the
// upsampling and flipping done here in JS.
import { Conv2DBackpropInput, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { Conv2DBackpropInputAttrs } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { forwardConvInfo, type ExplicitPad } from './conv-geometry.ts';
import { release, runWasmKernel } from './run-kernel.ts';
import { convolve, inputGradientGeometry } from './conv2d.ts';

/** Inserts stride−1 zeros between dy's rows and columns. */
function upsample(backend: BackendWasm, dy: TensorInfo, strideH: number, strideW: number): TensorInfo {
  const [b, h, w, c] = dy.shape as [number, number, number, number];
  const upH = (h - 1) * strideH + 1;
  const upW = (w - 1) * strideW + 1;
  const out = backend.makeOutput([b, upH, upW, c], 'float32');
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  dst.fill(0);
  const src = backend.typedArrayFromHeap(dy) as Float32Array;
  for (let n = 0; n < b; n++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        const from = ((n * h + i) * w + j) * c;
        const to = ((n * upH + i * strideH) * upW + j * strideW) * c;
        dst.set(src.subarray(from, from + c), to);
      }
    }
  }
  return out;
}

/** filter[kh,kw,ci,co] → flipped[fh−1−kh, fw−1−kw, co, ci]. */
function flipFilter(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const [fh, fw, ci, co] = filter.shape as [number, number, number, number];
  const out = backend.makeOutput([fh, fw, co, ci], 'float32');
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const src = backend.typedArrayFromHeap(filter) as Float32Array;
  for (let kh = 0; kh < fh; kh++) {
    for (let kw = 0; kw < fw; kw++) {
      const srcBase = (kh * fw + kw) * ci * co;
      const dstBase = ((fh - 1 - kh) * fw + (fw - 1 - kw)) * co * ci;
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) dst[dstBase + o * ci + i] = src[srcBase + i * co + o]!;
      }
    }
  }
  return out;
}

export function makeConv2DBackpropInputConfig(shipped: KernelFunc): KernelConfig {
  const conv2DBackpropInput: KernelFunc = (args) => {
    const { inputs, attrs } = args;
    const backend = args.backend as BackendWasm;
    const dy = inputs['dy'] as TensorInfo;
    const filter = inputs['filter'] as TensorInfo;
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as Conv2DBackpropInputAttrs;
    const info = forwardConvInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      pad,
      dimRoundingMode,
      dataFormat,
    );
    const upH = (info.outHeight - 1) * info.strideHeight + 1;
    const upW = (info.outWidth - 1) * info.strideWidth + 1;
    const padTop = info.filterHeight - 1 - info.padInfo.top;
    const padLeft = info.filterWidth - 1 - info.padInfo.left;
    const padBottom = info.inHeight - upH - padTop + info.filterHeight - 1;
    const padRight = info.inWidth - upW - padLeft + info.filterWidth - 1;
    if (Math.min(padTop, padLeft, padBottom, padRight) < 0 || dy.dtype !== 'float32') {
      // Padding wider than the filter never happens with SAME/VALID; keep the shipped kernel for it.
      return shipped(args);
    }
    if (info.inChannels % 8 === 0) {
      const { inChannels: ci, outChannels: co, filterHeight: fh, filterWidth: fw } = info;
      return convolve(backend, dy, inputGradientGeometry(info), () => {
        const w = backend.typedArrayFromHeap(filter) as Float32Array;
        // Tap (kh, kw) of the gradient conv is tap (fh−1−kh, fw−1−kw) of the forward one, channels swapped.
        return (kh, kw, c, o) => w[(((fh - 1 - kh) * fw + (fw - 1 - kw)) * ci + o) * co + c]!;
      });
    }
    const strided = info.strideHeight > 1 || info.strideWidth > 1;
    const up = strided ? upsample(backend, dy, info.strideHeight, info.strideWidth) : dy;
    const flipped = flipFilter(backend, filter);
    const explicit: ExplicitPad = [
      [0, 0],
      [padTop, padBottom],
      [padLeft, padRight],
      [0, 0],
    ];
    const dx = runWasmKernel(
      'Conv2D',
      backend,
      { x: up, filter: flipped },
      {
        strides: [1, 1],
        pad: explicit,
        dataFormat: 'NHWC',
        dilations: [1, 1],
        dimRoundingMode: undefined as unknown as string,
      },
    );
    release(backend, flipped, ...(strided ? [up] : []));
    return dx;
  };
  return { kernelName: Conv2DBackpropInput, backendName: 'wasm', kernelFunc: conv2DBackpropInput };
}
