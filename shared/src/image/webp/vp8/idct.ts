// The inverse transforms of RFC 6386 §14: the Walsh–Hadamard transform that spreads the Y2 block's values
// into the sixteen luma DCs, and the 4×4 inverse DCT whose result is added to the prediction and clamped
// (by the store: the work buffer is a Uint8ClampedArray). Scratch space is allocated once, not per block.
/** The work buffer's row stride (predict.ts's BPS), local because it is read per sample. */
const BPS = 32;

/** 16 dequantised Y2 coefficients → the DC (index 0) of each of the 16 luma blocks in `out` (16 apart). */
const whtScratch = new Int32Array(16);

export function inverseWalshHadamard(input: Int16Array, inAt: number, out: Int16Array, outAt: number): void {
  const tmp = whtScratch;
  for (let i = 0; i < 4; i++) {
    const a0 = input[inAt + i]! + input[inAt + 12 + i]!;
    const a1 = input[inAt + 4 + i]! + input[inAt + 8 + i]!;
    const a2 = input[inAt + 4 + i]! - input[inAt + 8 + i]!;
    const a3 = input[inAt + i]! - input[inAt + 12 + i]!;
    tmp[i] = a0 + a1;
    tmp[8 + i] = a0 - a1;
    tmp[4 + i] = a3 + a2;
    tmp[12 + i] = a3 - a2;
  }
  for (let i = 0; i < 4; i++) {
    const dc = tmp[i * 4]! + 3;
    const a0 = dc + tmp[3 + i * 4]!;
    const a1 = tmp[1 + i * 4]! + tmp[2 + i * 4]!;
    const a2 = tmp[1 + i * 4]! - tmp[2 + i * 4]!;
    const a3 = dc - tmp[3 + i * 4]!;
    const o = outAt + i * 64;
    out[o] = (a0 + a1) >> 3;
    out[o + 16] = (a3 + a2) >> 3;
    out[o + 32] = (a0 - a1) >> 3;
    out[o + 48] = (a3 - a2) >> 3;
  }
}

const mul1 = (a: number): number => ((a * 20091) >> 16) + a; // a·√2·cos(π/8)
const mul2 = (a: number): number => (a * 35468) >> 16; //        a·√2·sin(π/8)
const scratch = new Int32Array(16);

/** The full inverse DCT of one block's 16 coefficients, added to the 4×4 samples at `at`. */
export function inverseDctAdd(coeffs: Int16Array, c: number, buf: Uint8ClampedArray, at: number): void {
  const tmp = scratch;
  for (let i = 0; i < 4; i++) {
    const a = coeffs[c + i]! + coeffs[c + 8 + i]!;
    const b = coeffs[c + i]! - coeffs[c + 8 + i]!;
    const cc = mul2(coeffs[c + 4 + i]!) - mul1(coeffs[c + 12 + i]!);
    const d = mul1(coeffs[c + 4 + i]!) + mul2(coeffs[c + 12 + i]!);
    tmp[i * 4] = a + d;
    tmp[i * 4 + 1] = b + cc;
    tmp[i * 4 + 2] = b - cc;
    tmp[i * 4 + 3] = a - d;
  }
  for (let i = 0; i < 4; i++) {
    const dc = tmp[i]! + 4;
    const a = dc + tmp[8 + i]!;
    const b = dc - tmp[8 + i]!;
    const cc = mul2(tmp[4 + i]!) - mul1(tmp[12 + i]!);
    const d = mul1(tmp[4 + i]!) + mul2(tmp[12 + i]!);
    const row = at + i * BPS;
    buf[row] = buf[row]! + ((a + d) >> 3);
    buf[row + 1] = buf[row + 1]! + ((b + cc) >> 3);
    buf[row + 2] = buf[row + 2]! + ((b - cc) >> 3);
    buf[row + 3] = buf[row + 3]! + ((a - d) >> 3);
  }
}

/** A block whose only non-zero coefficient is the DC: the same result as the full transform, faster. */
export function inverseDcAdd(dcCoeff: number, buf: Uint8ClampedArray, at: number): void {
  const dc = (dcCoeff + 4) >> 3;
  for (let y = 0; y < 4; y++) {
    const row = at + y * BPS;
    for (let x = 0; x < 4; x++) buf[row + x] = buf[row + x]! + dc;
  }
}
