// QUANTIZE on WebAssembly (shared/wasm/conv.ts's `quantize`): the same float32 division, rounding and clamp.
import type { WasmOp } from '../../wasm-arena.ts';
import { wasmArenaOf, type Kernel } from '../kernel.ts';
import { prepareQuantize } from '../quantize.ts';

export const quantizeWasm: Kernel<WasmOp> = {
  op: 'QUANTIZE',
  path: 'wasm',
  prepare(op, ctx) {
    const { input, output, size, scale, zeroPoint } = prepareQuantize(op, ctx);
    return wasmArenaOf(op, ctx).request(
      { persistent: [], scratch: { input: size * 4, output: size } },
      ({ buffer, exports, scratch }) => {
        const inputView = new Float32Array(buffer, scratch.input, size);
        const outputView = new Int8Array(buffer, scratch.output, size);
        const quantizeFn = exports.quantize;
        return () => {
          inputView.set(input);
          quantizeFn(scratch.input, scratch.output, size, scale, zeroPoint);
          output.set(outputView);
        };
      },
    );
  },
  evaluate: (w) => w.run(),
};
