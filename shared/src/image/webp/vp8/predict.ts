// Intra prediction (RFC 6386 §12) inside one macroblock's work buffer: rows BPS bytes apart, the row above
// and the column to the left already filled with the unfiltered neighbours (or the spec's 127/129 borders).
// `at` is the top-left sample of the block being predicted; sub-block samples are written as at + 32·y + x.
// The buffer is a Uint8ClampedArray (TrueMotion's clamp is the store) with a Uint32Array view `w` of the same
// bytes: every block starts on a multiple of 4, so a row of 4 equal samples is one word store and a row
// copied from above is 1–4 word copies. Only uniform fills and copies go through `w`: byte order never matters.
export const BPS = 32;
const WPS = BPS / 4;

/** 16×16 luma and 8×8 chroma modes, and the DC variants for blocks on the picture's top/left edge. */
export const DC_PRED = 0;
export const TM_PRED = 1;
export const V_PRED = 2;
export const H_PRED = 3;
export const DC_NO_TOP = 4;
export const DC_NO_LEFT = 5;
export const DC_NO_TOP_LEFT = 6;

/** Sub-block modes, in the order BMODE_PROBS uses. */
export const B_DC = 0,
  B_TM = 1,
  B_VE = 2,
  B_HE = 3,
  B_RD = 4,
  B_VR = 5,
  B_LD = 6,
  B_VL = 7,
  B_HD = 8,
  B_HU = 9;

/** Rows of `size` samples (4, 8 or 16) all equal to v. */
function fill(w: Uint32Array, at: number, size: number, v: number): void {
  const word = Math.imul(v, 0x01010101);
  const words = size >> 2;
  for (let y = 0, i = at >> 2; y < size; y++, i += WPS) for (let x = 0; x < words; x++) w[i + x] = word;
}

/** Row y of `size` samples all equal to v. */
function fillRow(w: Uint32Array, at: number, size: number, v: number): void {
  const word = Math.imul(v, 0x01010101);
  for (let x = 0, i = at >> 2; x < size >> 2; x++) w[i + x] = word;
}

function trueMotion(buf: Uint8ClampedArray, at: number, size: number): void {
  const corner = buf[at - BPS - 1]!;
  for (let y = 0; y < size; y++) {
    const leftMinusCorner = buf[at + y * BPS - 1]! - corner;
    for (let x = 0; x < size; x++) buf[at + y * BPS + x] = buf[at - BPS + x]! + leftMinusCorner;
  }
}

/** A whole block (16 luma or 8 chroma) predicted by `mode`. */
export function predictBlock(buf: Uint8ClampedArray, w: Uint32Array, at: number, size: 16 | 8, mode: number): void {
  const log = size === 16 ? 4 : 3;
  switch (mode) {
    case DC_PRED: {
      let sum = size;
      for (let i = 0; i < size; i++) sum += buf[at - BPS + i]! + buf[at + i * BPS - 1]!;
      fill(w, at, size, sum >> (log + 1));
      break;
    }
    case DC_NO_TOP: {
      let sum = size >> 1;
      for (let i = 0; i < size; i++) sum += buf[at + i * BPS - 1]!;
      fill(w, at, size, sum >> log);
      break;
    }
    case DC_NO_LEFT: {
      let sum = size >> 1;
      for (let i = 0; i < size; i++) sum += buf[at - BPS + i]!;
      fill(w, at, size, sum >> log);
      break;
    }
    case DC_NO_TOP_LEFT:
      fill(w, at, size, 128);
      break;
    case TM_PRED:
      trueMotion(buf, at, size);
      break;
    case V_PRED: {
      const above = (at - BPS) >> 2;
      const words = size >> 2;
      for (let y = 0, i = at >> 2; y < size; y++, i += WPS) for (let x = 0; x < words; x++) w[i + x] = w[above + x]!;
      break;
    }
    case H_PRED:
      for (let y = 0; y < size; y++) fillRow(w, at + y * BPS, size, buf[at + y * BPS - 1]!);
      break;
  }
}

const avg3 = (a: number, b: number, c: number): number => (a + 2 * b + c + 2) >> 2;
const avg2 = (a: number, b: number): number => (a + b + 1) >> 1;

/** One 4×4 luma sub-block predicted by sub-block mode `mode` (uses 8 samples above, incl. above-right). */
export function predictSubblock(buf: Uint8ClampedArray, w: Uint32Array, at: number, mode: number): void {
  const top = at - BPS;
  const A = buf[top]!,
    B = buf[top + 1]!,
    C = buf[top + 2]!,
    D = buf[top + 3]!;
  const E = buf[top + 4]!,
    F = buf[top + 5]!,
    G = buf[top + 6]!,
    H = buf[top + 7]!;
  const X = buf[top - 1]!;
  const I = buf[at - 1]!,
    J = buf[at + BPS - 1]!,
    K = buf[at + 2 * BPS - 1]!,
    L = buf[at + 3 * BPS - 1]!;
  switch (mode) {
    case B_DC: {
      fill(w, at, 4, (A + B + C + D + I + J + K + L + 4) >> 3);
      break;
    }
    case B_TM:
      trueMotion(buf, at, 4);
      break;
    case B_VE: {
      buf[at] = avg3(X, A, B);
      buf[at + 1] = avg3(A, B, C);
      buf[at + 2] = avg3(B, C, D);
      buf[at + 3] = avg3(C, D, E);
      const i = at >> 2;
      w[i + WPS] = w[i + 2 * WPS] = w[i + 3 * WPS] = w[i]!;
      break;
    }
    case B_HE: {
      fillRow(w, at, 4, avg3(X, I, J));
      fillRow(w, at + BPS, 4, avg3(I, J, K));
      fillRow(w, at + 2 * BPS, 4, avg3(J, K, L));
      fillRow(w, at + 3 * BPS, 4, avg3(K, L, L));
      break;
    }
    case B_RD:
      buf[at + 96] = avg3(J, K, L);
      buf[at + 97] = avg3(I, J, K);
      buf[at + 64] = avg3(I, J, K);
      buf[at + 98] = avg3(X, I, J);
      buf[at + 65] = avg3(X, I, J);
      buf[at + 32] = avg3(X, I, J);
      buf[at + 99] = avg3(A, X, I);
      buf[at + 66] = avg3(A, X, I);
      buf[at + 33] = avg3(A, X, I);
      buf[at + 0] = avg3(A, X, I);
      buf[at + 67] = avg3(B, A, X);
      buf[at + 34] = avg3(B, A, X);
      buf[at + 1] = avg3(B, A, X);
      buf[at + 35] = avg3(C, B, A);
      buf[at + 2] = avg3(C, B, A);
      buf[at + 3] = avg3(D, C, B);
      break;
    case B_LD:
      buf[at + 0] = avg3(A, B, C);
      buf[at + 1] = avg3(B, C, D);
      buf[at + 32] = avg3(B, C, D);
      buf[at + 2] = avg3(C, D, E);
      buf[at + 33] = avg3(C, D, E);
      buf[at + 64] = avg3(C, D, E);
      buf[at + 3] = avg3(D, E, F);
      buf[at + 34] = avg3(D, E, F);
      buf[at + 65] = avg3(D, E, F);
      buf[at + 96] = avg3(D, E, F);
      buf[at + 35] = avg3(E, F, G);
      buf[at + 66] = avg3(E, F, G);
      buf[at + 97] = avg3(E, F, G);
      buf[at + 67] = avg3(F, G, H);
      buf[at + 98] = avg3(F, G, H);
      buf[at + 99] = avg3(G, H, H);
      break;
    case B_VR:
      buf[at + 0] = avg2(X, A);
      buf[at + 65] = avg2(X, A);
      buf[at + 1] = avg2(A, B);
      buf[at + 66] = avg2(A, B);
      buf[at + 2] = avg2(B, C);
      buf[at + 67] = avg2(B, C);
      buf[at + 3] = avg2(C, D);
      buf[at + 96] = avg3(K, J, I);
      buf[at + 64] = avg3(J, I, X);
      buf[at + 32] = avg3(I, X, A);
      buf[at + 97] = avg3(I, X, A);
      buf[at + 33] = avg3(X, A, B);
      buf[at + 98] = avg3(X, A, B);
      buf[at + 34] = avg3(A, B, C);
      buf[at + 99] = avg3(A, B, C);
      buf[at + 35] = avg3(B, C, D);
      break;
    case B_VL:
      buf[at + 0] = avg2(A, B);
      buf[at + 1] = avg2(B, C);
      buf[at + 64] = avg2(B, C);
      buf[at + 2] = avg2(C, D);
      buf[at + 65] = avg2(C, D);
      buf[at + 3] = avg2(D, E);
      buf[at + 66] = avg2(D, E);
      buf[at + 32] = avg3(A, B, C);
      buf[at + 33] = avg3(B, C, D);
      buf[at + 96] = avg3(B, C, D);
      buf[at + 34] = avg3(C, D, E);
      buf[at + 97] = avg3(C, D, E);
      buf[at + 35] = avg3(D, E, F);
      buf[at + 98] = avg3(D, E, F);
      buf[at + 67] = avg3(E, F, G);
      buf[at + 99] = avg3(F, G, H);
      break;
    case B_HU:
      buf[at + 0] = avg2(I, J);
      buf[at + 2] = avg2(J, K);
      buf[at + 32] = avg2(J, K);
      buf[at + 34] = avg2(K, L);
      buf[at + 64] = avg2(K, L);
      buf[at + 1] = avg3(I, J, K);
      buf[at + 3] = avg3(J, K, L);
      buf[at + 33] = avg3(J, K, L);
      buf[at + 35] = avg3(K, L, L);
      buf[at + 65] = avg3(K, L, L);
      buf[at + 67] = L;
      buf[at + 66] = L;
      buf[at + 96] = L;
      buf[at + 97] = L;
      buf[at + 98] = L;
      buf[at + 99] = L;
      break;
    case B_HD:
      buf[at + 0] = avg2(I, X);
      buf[at + 34] = avg2(I, X);
      buf[at + 32] = avg2(J, I);
      buf[at + 66] = avg2(J, I);
      buf[at + 64] = avg2(K, J);
      buf[at + 98] = avg2(K, J);
      buf[at + 96] = avg2(L, K);
      buf[at + 3] = avg3(A, B, C);
      buf[at + 2] = avg3(X, A, B);
      buf[at + 1] = avg3(I, X, A);
      buf[at + 35] = avg3(I, X, A);
      buf[at + 33] = avg3(J, I, X);
      buf[at + 67] = avg3(J, I, X);
      buf[at + 65] = avg3(K, J, I);
      buf[at + 99] = avg3(K, J, I);
      buf[at + 97] = avg3(L, K, J);
      break;
  }
}
