// MAX_POOL_2D, the optimized TypeScript kernel: the reference kernel's max and clamp (../max-pool-2d.ts), taken
// window position by window position over all channels at once, so the inner loop walks contiguous memory.
import type { Kernel } from '../kernel.ts';
import { prepareMaxPool2d } from '../max-pool-2d.ts';
import type { PoolParams } from '../pool-2d.ts';

export const maxPool2dOptimized: Kernel<PoolParams> = {
  op: 'MAX_POOL_2D',
  path: 'optimized',
  prepare: prepareMaxPool2d,
  evaluate(p) {
    const { input, output, inH, inW, channels: C, actMin, actMax } = p;
    let out = 0;
    for (let oy = 0; oy < p.outH; oy++) {
      const y0 = Math.max(0, oy * p.strideH - p.padTop),
        y1 = Math.min(inH, oy * p.strideH - p.padTop + p.filterH);
      for (let ox = 0; ox < p.outW; ox++) {
        const x0 = Math.max(0, ox * p.strideW - p.padLeft),
          x1 = Math.min(inW, ox * p.strideW - p.padLeft + p.filterW);
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
