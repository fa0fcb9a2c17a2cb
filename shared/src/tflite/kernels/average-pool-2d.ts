// AVERAGE_POOL_2D, int8 (reference_integer_ops::AveragePool): sum over the valid part of each window,
// divided by that part's size with rounding half away from zero, then clamp.
import { invalidOp, type Kernel } from './kernel.ts';
import { preparePool, type PoolParams } from './pool-2d.ts';

export const averagePool2d: Kernel<PoolParams> = {
  op: 'AVERAGE_POOL_2D',
  path: 'reference',
  prepare(op, ctx) {
    if (op.op !== 'AVERAGE_POOL_2D') return invalidOp(op, 'wrong kernel');
    return preparePool(op, ctx);
  },
  evaluate(p) {
    const { input, output, inH, inW, channels: C } = p;
    let outIdx = 0;
    for (let oy = 0; oy < p.outH; oy++) {
      const y0 = Math.max(0, oy * p.strideH - p.padTop),
        y1 = Math.min(inH, oy * p.strideH - p.padTop + p.filterH);
      for (let ox = 0; ox < p.outW; ox++) {
        const x0 = Math.max(0, ox * p.strideW - p.padLeft),
          x1 = Math.min(inW, ox * p.strideW - p.padLeft + p.filterW);
        const count = (y1 - y0) * (x1 - x0);
        const half = (count / 2) | 0;
        for (let c = 0; c < C; c++) {
          let sum = 0;
          for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum = (sum + input[(y * inW + x) * C + c]!) | 0;
          const avg = sum > 0 ? ((sum + half) / count) | 0 : ((sum - half) / count) | 0;
          output[outIdx++] = avg < p.actMin ? p.actMin : avg > p.actMax ? p.actMax : avg;
        }
      }
    }
  },
};
