// MAX_POOL_2D, int8: the reference kernel (reference_integer_ops::MaxPool) over the shared pool prepare
// (pool-2d.ts). Input and output share one quantization, so the max is taken on the int8 codes directly.
import type { OpIR } from '../ir.ts';
import { invalidOp, type Kernel, type PrepareContext } from './kernel.ts';
import { preparePool, type PoolParams } from './pool-2d.ts';

export function prepareMaxPool2d(op: OpIR, ctx: PrepareContext): PoolParams {
  if (op.op !== 'MAX_POOL_2D') return invalidOp(op, 'wrong kernel');
  return preparePool(op, ctx);
}

/** For each output value, the max over the part of its window inside the image, clamped to the activation range. */
export function maxPool(p: PoolParams): void {
  const { input, output, inH, inW, channels, outH, outW, filterH, filterW } = p;
  for (let outY = 0; outY < outH; outY++) {
    const inYOrigin = outY * p.strideH - p.padTop;
    const filterYStart = Math.max(0, -inYOrigin),
      filterYEnd = Math.min(filterH, inH - inYOrigin);
    for (let outX = 0; outX < outW; outX++) {
      const inXOrigin = outX * p.strideW - p.padLeft;
      const filterXStart = Math.max(0, -inXOrigin),
        filterXEnd = Math.min(filterW, inW - inXOrigin);
      for (let channel = 0; channel < channels; channel++) {
        let max = -128;
        for (let filterY = filterYStart; filterY < filterYEnd; filterY++) {
          for (let filterX = filterXStart; filterX < filterXEnd; filterX++) {
            const inY = inYOrigin + filterY,
              inX = inXOrigin + filterX;
            max = Math.max(max, input[(inY * inW + inX) * channels + channel]!);
          }
        }
        max = Math.max(max, p.actMin);
        max = Math.min(max, p.actMax);
        output[(outY * outW + outX) * channels + channel] = max;
      }
    }
  }
}

export const maxPool2d: Kernel<PoolParams> = {
  op: 'MAX_POOL_2D',
  path: 'reference',
  prepare: prepareMaxPool2d,
  evaluate: maxPool,
};
