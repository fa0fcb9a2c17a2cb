// Shared preparation of MAX_POOL_2D and AVERAGE_POOL_2D (int8, NHWC, batch 1): geometry and clamp.
// Input and output share one quantization, so neither kernel requantizes.
import type { Pool2DOptions } from '../ir.ts';
import type { OpIR } from '../ir.ts';
import { activationRange, affine, expectShape, int8Of, invalidOp, padding, type PrepareContext } from './kernel.ts';

export interface PoolParams {
  input: Int8Array;
  output: Int8Array;
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
  actMin: number;
  actMax: number;
}

export function preparePool(op: OpIR & { options: Pool2DOptions; inputs: [number] }, ctx: PrepareContext): PoolParams {
  const inT = ctx.tensor(op.inputs[0]),
    outT = ctx.tensor(op.outputs[0]);
  if (inT.shape.length !== 4 || inT.shape[0] !== 1)
    invalidOp(op, `input must be [1, H, W, C], got [${inT.shape.join(', ')}]`);
  const [, inH, inW, channels] = inT.shape as [number, number, number, number];
  const o = op.options;
  const h = padding(o.padding, inH, o.filterH, o.strideH, 1);
  const w = padding(o.padding, inW, o.filterW, o.strideW, 1);
  expectShape(op, outT, [1, h.out, w.out, channels]);
  const inQ = affine(op, inT),
    outQ = affine(op, outT);
  if (inQ.scale !== outQ.scale || inQ.zeroPoint !== outQ.zeroPoint)
    invalidOp(op, 'input and output must share scale and zero point');
  const act = activationRange(o.fusedActivation, outQ.scale, outQ.zeroPoint);
  return {
    input: int8Of(op, ctx, op.inputs[0]),
    output: int8Of(op, ctx, op.outputs[0]),
    inH,
    inW,
    channels,
    outH: h.out,
    outW: w.out,
    filterH: o.filterH,
    filterW: o.filterW,
    strideH: o.strideH,
    strideW: o.strideW,
    padTop: h.before,
    padLeft: w.before,
    actMin: act.min,
    actMax: act.max,
  };
}
