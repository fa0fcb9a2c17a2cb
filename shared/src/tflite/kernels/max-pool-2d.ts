// MAX_POOL_2D, int8 (reference_integer_ops::MaxPool): max over the valid part of each window, then clamp.
import { invalidOp, type Kernel } from './kernel.ts';
import { preparePool, type PoolParams } from './pool-2d.ts';
import type { WasmConv } from '../wasm-conv.ts';

export const maxPool2d: Kernel<PoolParams & { wasm: WasmConv | null }> = {
  op: 'MAX_POOL_2D',
  prepare(op, ctx) {
    if (op.op !== 'MAX_POOL_2D') return invalidOp(op, 'wrong kernel');
    const params = preparePool(op, ctx);
    return { ...params, wasm: ctx.wasm ? ctx.wasm.maxPool(params) : null };
  },
  evaluate(p) {
    if (p.wasm) return p.wasm.run(p.input, p.output);
    const { input, output, inH, inW, channels: C, actMin, actMax } = p;
    let out = 0;
    for (let oy = 0; oy < p.outH; oy++) {
      const y0 = Math.max(0, oy * p.strideH - p.padTop), y1 = Math.min(inH, oy * p.strideH - p.padTop + p.filterH);
      for (let ox = 0; ox < p.outW; ox++) {
        const x0 = Math.max(0, ox * p.strideW - p.padLeft), x1 = Math.min(inW, ox * p.strideW - p.padLeft + p.filterW);
        // Window position by position, all channels at once: the inner loop walks contiguous memory.
        output.fill(-128, out, out + C);
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) {
            for (let c = 0, i = (y * inW + x) * C; c < C; c++, i++) {
              const v = input[i]!;
              if (v > output[out + c]!) output[out + c] = v;
            }
          }
        }
        for (let c = out; c < out + C; c++) {
          const v = output[c]!;
          output[c] = v < actMin ? actMin : v > actMax ? actMax : v;
        }
        out += C;
      }
    }
  },
};
