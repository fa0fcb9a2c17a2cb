// FULLY_CONNECTED on WebAssembly SIMD as a 1×1 convolution: [batches, depth] int8 input is the NHWC image
// [1, 1, batches, depth], each unit an output channel, so conv.wasm computes the reference kernel's integers.
import type { WasmOp } from '../../wasm-arena.ts';
import { prepareFullyConnected } from '../fully-connected.ts';
import { wasmArenaOf, type Kernel } from '../kernel.ts';
import { requestConvolution } from './conv-2d.ts';

export const fullyConnectedWasm: Kernel<WasmOp> = {
  op: 'FULLY_CONNECTED',
  path: 'wasm',
  prepare(op, ctx) {
    const fc = prepareFullyConnected(op, ctx);
    return requestConvolution(wasmArenaOf(op, ctx), {
      input: fc.input,
      filter: fc.weights,
      bias: fc.bias,
      output: fc.output,
      inH: 1,
      inW: fc.batches,
      inC: fc.depth,
      outH: 1,
      outW: fc.batches,
      outC: fc.units,
      kH: 1,
      kW: 1,
      strideH: 1,
      strideW: 1,
      dilationH: 1,
      dilationW: 1,
      padTop: 0,
      padLeft: 0,
      inputOffset: fc.inputOffset,
      outputOffset: fc.outputOffset,
      multipliers: fc.multipliers,
      shifts: fc.shifts,
      actMin: fc.actMin,
      actMax: fc.actMax,
    });
  },
  evaluate: (w) => w.run(),
};
