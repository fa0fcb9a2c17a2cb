// MAX_POOL_2D on WebAssembly SIMD (shared/wasm/conv.ts's `maxPool`): sixteen channels per i8x16.max_s, from the
// shared pool prepare written into the op's parameter block.
import type { WasmOp } from '../../wasm-arena.ts';
import { wasmArenaOf, type Kernel } from '../kernel.ts';
import { prepareMaxPool2d } from '../max-pool-2d.ts';

/** Words of conv.ts's pool parameter block. */
const POOL_PARAM_WORDS = 15;

export const maxPool2dWasm: Kernel<WasmOp> = {
  op: 'MAX_POOL_2D',
  path: 'wasm',
  prepare(op, ctx) {
    const p = prepareMaxPool2d(op, ctx);
    const inputSize = p.inH * p.inW * p.channels,
      outputSize = p.outH * p.outW * p.channels;
    const request = { persistent: [POOL_PARAM_WORDS * 4], scratch: { input: inputSize, output: outputSize } };
    return wasmArenaOf(op, ctx).request(request, ({ buffer, exports, blocks, scratch }) => {
      const params = blocks[0]!;
      // The order of shared/wasm/conv.ts's pool parameter block.
      new Int32Array(buffer, params, POOL_PARAM_WORDS).set([
        p.inH,
        p.inW,
        p.channels,
        p.outH,
        p.outW,
        p.filterH,
        p.filterW,
        p.strideH,
        p.strideW,
        p.padTop,
        p.padLeft,
        p.actMin,
        p.actMax,
        scratch.input,
        scratch.output,
      ]);
      const inputView = new Int8Array(buffer, scratch.input, inputSize);
      const outputView = new Int8Array(buffer, scratch.output, outputSize);
      const { input, output } = p;
      const maxPool = exports.maxPool;
      return () => {
        inputView.set(input);
        maxPool(params);
        output.set(outputView);
      };
    });
  },
  evaluate: (w) => w.run(),
};
