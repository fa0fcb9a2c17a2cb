// ADD, the optimized TypeScript kernel: both inputs are int8, so the whole reference computation (../add.ts) is
// tabulated once at prepare — 65,536 outputs, one per pair of input codes — and evaluate is one lookup per element.
import { prepareAdd, requantizeSum, rescaleInput, type AddOpData } from '../add.ts';
import type { Kernel } from '../kernel.ts';

/** Bytes of the table: one int8 output per (input1, input2) pair, index (input1 + 128) · 256 + (input2 + 128). */
export const ADD_TABLE_BYTES = 65536;

/** reference_integer_ops::Add for every pair of int8 codes. */
export function addTable(d: AddOpData): Int8Array {
  const rescaled1 = new Int32Array(256),
    rescaled2 = new Int32Array(256);
  for (let v = -128; v < 128; v++) {
    rescaled1[v + 128] = rescaleInput(v, d.input1Offset, d.leftShift, d.input1Multiplier, d.input1Shift);
    rescaled2[v + 128] = rescaleInput(v, d.input2Offset, d.leftShift, d.input2Multiplier, d.input2Shift);
  }
  const table = new Int8Array(ADD_TABLE_BYTES);
  for (let a = 0; a < 256; a++)
    for (let b = 0; b < 256; b++) table[(a << 8) | b] = requantizeSum(d, rescaled1[a]!, rescaled2[b]!);
  return table;
}

export const addOptimized: Kernel<AddOpData & { table: Int8Array }> = {
  op: 'ADD',
  path: 'optimized',
  prepare(op, ctx) {
    const d = prepareAdd(op, ctx);
    return { ...d, table: addTable(d) };
  },
  evaluate(p) {
    const { input1, input2, output, table } = p;
    for (let i = 0; i < p.size; i++) output[i] = table[((input1[i]! + 128) << 8) | (input2[i]! + 128)]!;
  },
};
