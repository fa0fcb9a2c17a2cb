// MAX_POOL_2D, int8 (reference_integer_ops::MaxPool): max over the valid part of each window, then clamp.
import { invalidOp, type Kernel } from './kernel.ts';
import { preparePool, type PoolParams } from './pool-2d.ts';

export const maxPool2d: Kernel<PoolParams> = {
  op: 'MAX_POOL_2D',
  prepare(op, ctx) {
    if (op.op !== 'MAX_POOL_2D') return invalidOp(op, 'wrong kernel');
    return preparePool(op, ctx);
  },
  evaluate(p) {
    const { input, output, inH, inW, channels: C } = p;
    let outIdx = 0;
    for (let oy = 0; oy < p.outH; oy++) {
      const y0 = Math.max(0, oy * p.strideH - p.padTop), y1 = Math.min(inH, oy * p.strideH - p.padTop + p.filterH);
      for (let ox = 0; ox < p.outW; ox++) {
        const x0 = Math.max(0, ox * p.strideW - p.padLeft), x1 = Math.min(inW, ox * p.strideW - p.padLeft + p.filterW);
        for (let c = 0; c < C; c++) {
          let max = -128;
          for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
            const v = input[(y * inW + x) * C + c]!;
            if (v > max) max = v;
          }
          output[outIdx++] = max < p.actMin ? p.actMin : max > p.actMax ? p.actMax : max;
        }
      }
    }
  },
};
