// CONV_2D on WebAssembly SIMD (shared/wasm/conv.ts's `conv`): the prepared integers of ../conv-2d.ts written into
// the op's parameter block, the filter copied in once as int8 rows padded to eight (the SIMD loop reads eight taps
// at a time; the padding is zero, so it adds nothing). Identical outputs to the reference kernel.
import type { WasmArena, WasmOp } from '../../wasm-arena.ts';
import { prepareConv2d, type Conv2dOpData } from '../conv-2d.ts';
import { wasmArenaOf, type Kernel } from '../kernel.ts';

/** Words of conv.ts's parameter block. */
const PARAM_WORDS = 28;
/** Arrays of conv.ts's requantization vectors (its L_* order), each outC int32. */
const LANE_ARRAYS = 8;

const pad8 = (n: number) => (n + 7) & ~7;

/**
 * conv.ts's requantization vectors, or null where they would not be exact: a multiplier of INT32_MIN (the one
 * saturating case of SaturatingRoundingDoublingHighMul) or a shift outside TFLite's [−31, 30].
 */
export function requantizationLanes(d: Pick<Conv2dOpData, 'bias' | 'multipliers' | 'shifts'>): Int32Array | null {
  const outC = d.multipliers.length;
  const lanes = new Int32Array(LANE_ARRAYS * outC);
  for (let c = 0; c < outC; c++) {
    const multiplier = d.multipliers[c]!,
      shift = d.shifts[c]!;
    if (multiplier === -0x80000000 || shift > 30 || shift < -31) return null;
    const left = Math.max(shift, 0),
      r = Math.max(-shift, 0);
    const row = (k: number, value: number) => (lanes[k * outC + c] = value | 0);
    row(0, d.bias[c]!);
    row(1, 2 ** left);
    row(2, multiplier);
    row(3, r === 0 ? 0 : 2 ** (32 - r)); // read as u32: 2^31 for r = 1
    row(4, r === 0 ? 0 : 2 ** (31 - r));
    row(5, 2 ** r - 1);
    row(6, (2 ** r - 1) >>> 1);
    row(7, r === 0 ? -1 : 0);
  }
  return lanes;
}

/** Reports one convolution's needs to the arena; at commit, fills its blocks and binds its run. */
export function requestConvolution(arena: WasmArena, d: Conv2dOpData): WasmOp {
  const depth = d.kH * d.kW * d.inC,
    depth8 = pad8(depth);
  const inputSize = d.inH * d.inW * d.inC,
    outputSize = d.outH * d.outW * d.outC;
  const lanes = requantizationLanes(d);
  // conv.ts's convWidened: window rows read in place from one zero-bordered int16 copy of the input (in the patch
  // region), when every window row is contiguous and a multiple of eight taps.
  const widened = d.dilationH === 1 && d.dilationW === 1 && d.inC % 8 === 0;
  const wideW = (d.outW - 1) * d.strideW + d.kW,
    wideH = (d.outH - 1) * d.strideH + d.kH;
  const request = {
    persistent: [
      PARAM_WORDS * 4,
      d.outC * depth8,
      d.bias.byteLength,
      d.multipliers.byteLength,
      d.shifts.byteLength,
      lanes?.byteLength ?? 0,
    ],
    // Two pixels' patches of int16, or the widened input.
    scratch: { input: inputSize, output: outputSize, patch: widened ? wideH * wideW * d.inC * 2 : depth8 * 2 * 2 },
  };
  return arena.request(request, ({ buffer, exports, blocks, scratch }) => {
    const [params, filter, bias, multipliers, shifts, lanesAt] = blocks as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    if (lanes) new Int32Array(buffer, lanesAt, lanes.length).set(lanes);
    const rows = new Int8Array(buffer, filter, d.outC * depth8);
    for (let oc = 0; oc < d.outC; oc++) rows.set(d.filter.subarray(oc * depth, (oc + 1) * depth), oc * depth8);
    new Int32Array(buffer, bias, d.outC).set(d.bias);
    new Int32Array(buffer, multipliers, d.outC).set(d.multipliers);
    new Int32Array(buffer, shifts, d.outC).set(d.shifts);
    // The order of shared/wasm/conv.ts's parameter block.
    new Int32Array(buffer, params, PARAM_WORDS).set([
      d.inH,
      d.inW,
      d.inC,
      d.outH,
      d.outW,
      d.outC,
      d.kH,
      d.kW,
      d.strideH,
      d.strideW,
      d.dilationH,
      d.dilationW,
      d.padTop,
      d.padLeft,
      d.inputOffset,
      d.outputOffset,
      d.actMin,
      d.actMax,
      depth8,
      filter,
      bias,
      multipliers,
      shifts,
      scratch.input,
      scratch.output,
      scratch.patch,
      lanes ? lanesAt : 0,
      widened ? wideW : 0,
    ]);
    const inputView = new Int8Array(buffer, scratch.input, inputSize);
    const outputView = new Int8Array(buffer, scratch.output, outputSize);
    const { input, output } = d;
    const conv = exports.conv;
    return () => {
      inputView.set(input);
      conv(params);
      output.set(outputView);
    };
  });
}

export const conv2dWasm: Kernel<WasmOp> = {
  op: 'CONV_2D',
  path: 'wasm',
  prepare: (op, ctx) => requestConvolution(wasmArenaOf(op, ctx), prepareConv2d(op, ctx)),
  evaluate: (w) => w.run(),
};
