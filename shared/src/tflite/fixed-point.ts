// TFLite's integer requantization (tensorflow/lite/kernels/internal/common.h, gemmlowp fixedpoint.h),
// bit-exact in JavaScript: int32 values stay int32 (`| 0`), and the one 64-bit product is computed
// exactly from 16-bit pieces so no double rounding can creep in.

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const TWO_15 = 32768;
const TWO_31 = 2147483648;
// Multiplying by a power of two is exact in doubles, and much cheaper than dividing.
const INV_TWO_15 = 1 / TWO_15;
const INV_TWO_31 = 1 / TWO_31;
const INV_TWO_16 = 1 / 65536;

/** A real multiplier as TFLite stores it: `multiplier` in [2^30, 2^31) (Q31) and a power-of-two `shift`. */
export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

/** QuantizeMultiplier (common.cc): frexp, then round the mantissa to Q31. Runs at prepare time only. */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (real === 0 || !Number.isFinite(real)) return { multiplier: 0, shift: 0 };
  let shift = Math.floor(Math.log2(Math.abs(real))) + 1;
  let q = real / 2 ** shift;
  // log2 can be off by one near powers of two: renormalise so |q| is in [0.5, 1) exactly like frexp.
  while (Math.abs(q) >= 1) {
    q /= 2;
    shift++;
  }
  while (Math.abs(q) < 0.5) {
    q *= 2;
    shift--;
  }
  let qFixed = Number(BigInt(Math.round(q * TWO_31)));
  if (qFixed === TWO_31) {
    qFixed /= 2;
    shift++;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  if (shift > 30) {
    shift = 30;
    qFixed = INT32_MAX;
  }
  return { multiplier: qFixed | 0, shift };
}

/** gemmlowp SaturatingRoundingDoublingHighMul: (a·b + nudge) / 2^31 truncated, a·b exact in 64 bits. */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // Fast path: |a| < 2^22 and |b| ≤ 2^31 keep a·b + nudge below 2^53, so one double product is exact.
  if (a < 4194304 && a > -4194304) {
    const ab = a * b;
    return Math.trunc((ab + (ab >= 0 ? 1073741824 : 1 - 1073741824)) * INV_TWO_31) | 0;
  }
  // a·b = P·2^16 + Q with P = a·bHi, Q = a·bLo; both products are exact doubles (< 2^47).
  const bLo = b & 0xffff;
  const bHi = (b - bLo) * INV_TWO_16;
  const P = a * bHi;
  const Q = a * bLo;
  // The double product a·b may be rounded, but its sign is exact.
  const nudge = a * b >= 0 ? 1073741824 : 1 - 1073741824;
  // P = pHi·2^15 + pLo, so a·b + nudge = pHi·2^31 + (pLo·2^16 + Q + nudge), every term exact.
  const pHi = Math.floor(P * INV_TWO_15);
  const pLo = P - pHi * TWO_15;
  const s = pLo * 65536 + Q + nudge;
  const sHi = Math.floor(s * INV_TWO_31);
  const floorQuotient = pHi + sHi;
  const remainder = s - sHi * TWO_31;
  // C++ integer division truncates toward zero.
  return (floorQuotient < 0 && remainder !== 0 ? floorQuotient + 1 : floorQuotient) | 0;
}

/** gemmlowp RoundingDivideByPOT: x / 2^exponent rounded half away from zero. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  const mask = ((1 << exponent) - 1) | 0;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return ((x >> exponent) + (remainder > threshold ? 1 : 0)) | 0;
}

/** MultiplyByQuantizedMultiplier (common.h, double-rounding variant, TFLite's default). */
export function multiplyByQuantizedMultiplier(x: number, multiplier: number, shift: number): number {
  const leftShift = shift > 0 ? shift : 0;
  const rightShift = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(Math.imul(x, 1 << leftShift), multiplier), rightShift);
}
