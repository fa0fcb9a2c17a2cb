// Intra prediction (RFC 6386 §12) inside one macroblock's work buffer: rows BPS bytes apart, the row above
// and the column to the left already filled with the unfiltered neighbours (or the spec's 127/129 borders).
// `at` is the top-left sample of the block being predicted.
export const BPS = 32;

/** 16×16 luma and 8×8 chroma modes, and the DC variants for blocks on the picture's top/left edge. */
export const DC_PRED = 0;
export const TM_PRED = 1;
export const V_PRED = 2;
export const H_PRED = 3;
export const DC_NO_TOP = 4;
export const DC_NO_LEFT = 5;
export const DC_NO_TOP_LEFT = 6;

/** Sub-block modes, in the order BMODE_PROBS uses. */
export const B_DC = 0, B_TM = 1, B_VE = 2, B_HE = 3, B_RD = 4, B_VR = 5, B_LD = 6, B_VL = 7, B_HD = 8, B_HU = 9;

const clip255 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

function fill(buf: Uint8Array, at: number, size: number, v: number): void {
  for (let y = 0; y < size; y++) buf.fill(v, at + y * BPS, at + y * BPS + size);
}

function trueMotion(buf: Uint8Array, at: number, size: number): void {
  const corner = buf[at - BPS - 1]!;
  for (let y = 0; y < size; y++) {
    const leftMinusCorner = buf[at + y * BPS - 1]! - corner;
    for (let x = 0; x < size; x++) buf[at + y * BPS + x] = clip255(buf[at - BPS + x]! + leftMinusCorner);
  }
}

/** A whole block (16 luma or 8 chroma) predicted by `mode`. */
export function predictBlock(buf: Uint8Array, at: number, size: 16 | 8, mode: number): void {
  const log = size === 16 ? 4 : 3;
  switch (mode) {
    case DC_PRED: {
      let sum = size;
      for (let i = 0; i < size; i++) sum += buf[at - BPS + i]! + buf[at + i * BPS - 1]!;
      fill(buf, at, size, sum >> (log + 1));
      break;
    }
    case DC_NO_TOP: {
      let sum = size >> 1;
      for (let i = 0; i < size; i++) sum += buf[at + i * BPS - 1]!;
      fill(buf, at, size, sum >> log);
      break;
    }
    case DC_NO_LEFT: {
      let sum = size >> 1;
      for (let i = 0; i < size; i++) sum += buf[at - BPS + i]!;
      fill(buf, at, size, sum >> log);
      break;
    }
    case DC_NO_TOP_LEFT:
      fill(buf, at, size, 128);
      break;
    case TM_PRED:
      trueMotion(buf, at, size);
      break;
    case V_PRED:
      for (let y = 0; y < size; y++) buf.copyWithin(at + y * BPS, at - BPS, at - BPS + size);
      break;
    case H_PRED:
      for (let y = 0; y < size; y++) buf.fill(buf[at + y * BPS - 1]!, at + y * BPS, at + y * BPS + size);
      break;
  }
}

const avg3 = (a: number, b: number, c: number): number => (a + 2 * b + c + 2) >> 2;
const avg2 = (a: number, b: number): number => (a + b + 1) >> 1;

/** One 4×4 luma sub-block predicted by sub-block mode `mode` (uses 8 samples above, incl. above-right). */
export function predictSubblock(buf: Uint8Array, at: number, mode: number): void {
  const top = at - BPS;
  const A = buf[top]!, B = buf[top + 1]!, C = buf[top + 2]!, D = buf[top + 3]!;
  const E = buf[top + 4]!, F = buf[top + 5]!, G = buf[top + 6]!, H = buf[top + 7]!;
  const X = buf[top - 1]!;
  const I = buf[at - 1]!, J = buf[at + BPS - 1]!, K = buf[at + 2 * BPS - 1]!, L = buf[at + 3 * BPS - 1]!;
  const put = (x: number, y: number, v: number): void => {
    buf[at + y * BPS + x] = v;
  };
  switch (mode) {
    case B_DC: {
      const dc = (A + B + C + D + I + J + K + L + 4) >> 3;
      for (let y = 0; y < 4; y++) buf.fill(dc, at + y * BPS, at + y * BPS + 4);
      break;
    }
    case B_TM:
      trueMotion(buf, at, 4);
      break;
    case B_VE: {
      const v = [avg3(X, A, B), avg3(A, B, C), avg3(B, C, D), avg3(C, D, E)];
      for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) put(x, y, v[x]!);
      break;
    }
    case B_HE: {
      const v = [avg3(X, I, J), avg3(I, J, K), avg3(J, K, L), avg3(K, L, L)];
      for (let y = 0; y < 4; y++) buf.fill(v[y]!, at + y * BPS, at + y * BPS + 4);
      break;
    }
    case B_RD:
      put(0, 3, avg3(J, K, L));
      put(1, 3, avg3(I, J, K)); put(0, 2, avg3(I, J, K));
      put(2, 3, avg3(X, I, J)); put(1, 2, avg3(X, I, J)); put(0, 1, avg3(X, I, J));
      put(3, 3, avg3(A, X, I)); put(2, 2, avg3(A, X, I)); put(1, 1, avg3(A, X, I)); put(0, 0, avg3(A, X, I));
      put(3, 2, avg3(B, A, X)); put(2, 1, avg3(B, A, X)); put(1, 0, avg3(B, A, X));
      put(3, 1, avg3(C, B, A)); put(2, 0, avg3(C, B, A));
      put(3, 0, avg3(D, C, B));
      break;
    case B_LD:
      put(0, 0, avg3(A, B, C));
      put(1, 0, avg3(B, C, D)); put(0, 1, avg3(B, C, D));
      put(2, 0, avg3(C, D, E)); put(1, 1, avg3(C, D, E)); put(0, 2, avg3(C, D, E));
      put(3, 0, avg3(D, E, F)); put(2, 1, avg3(D, E, F)); put(1, 2, avg3(D, E, F)); put(0, 3, avg3(D, E, F));
      put(3, 1, avg3(E, F, G)); put(2, 2, avg3(E, F, G)); put(1, 3, avg3(E, F, G));
      put(3, 2, avg3(F, G, H)); put(2, 3, avg3(F, G, H));
      put(3, 3, avg3(G, H, H));
      break;
    case B_VR:
      put(0, 0, avg2(X, A)); put(1, 2, avg2(X, A));
      put(1, 0, avg2(A, B)); put(2, 2, avg2(A, B));
      put(2, 0, avg2(B, C)); put(3, 2, avg2(B, C));
      put(3, 0, avg2(C, D));
      put(0, 3, avg3(K, J, I));
      put(0, 2, avg3(J, I, X));
      put(0, 1, avg3(I, X, A)); put(1, 3, avg3(I, X, A));
      put(1, 1, avg3(X, A, B)); put(2, 3, avg3(X, A, B));
      put(2, 1, avg3(A, B, C)); put(3, 3, avg3(A, B, C));
      put(3, 1, avg3(B, C, D));
      break;
    case B_VL:
      put(0, 0, avg2(A, B));
      put(1, 0, avg2(B, C)); put(0, 2, avg2(B, C));
      put(2, 0, avg2(C, D)); put(1, 2, avg2(C, D));
      put(3, 0, avg2(D, E)); put(2, 2, avg2(D, E));
      put(0, 1, avg3(A, B, C));
      put(1, 1, avg3(B, C, D)); put(0, 3, avg3(B, C, D));
      put(2, 1, avg3(C, D, E)); put(1, 3, avg3(C, D, E));
      put(3, 1, avg3(D, E, F)); put(2, 3, avg3(D, E, F));
      put(3, 2, avg3(E, F, G));
      put(3, 3, avg3(F, G, H));
      break;
    case B_HU:
      put(0, 0, avg2(I, J));
      put(2, 0, avg2(J, K)); put(0, 1, avg2(J, K));
      put(2, 1, avg2(K, L)); put(0, 2, avg2(K, L));
      put(1, 0, avg3(I, J, K));
      put(3, 0, avg3(J, K, L)); put(1, 1, avg3(J, K, L));
      put(3, 1, avg3(K, L, L)); put(1, 2, avg3(K, L, L));
      put(3, 2, L); put(2, 2, L); put(0, 3, L); put(1, 3, L); put(2, 3, L); put(3, 3, L);
      break;
    case B_HD:
      put(0, 0, avg2(I, X)); put(2, 1, avg2(I, X));
      put(0, 1, avg2(J, I)); put(2, 2, avg2(J, I));
      put(0, 2, avg2(K, J)); put(2, 3, avg2(K, J));
      put(0, 3, avg2(L, K));
      put(3, 0, avg3(A, B, C));
      put(2, 0, avg3(X, A, B));
      put(1, 0, avg3(I, X, A)); put(3, 1, avg3(I, X, A));
      put(1, 1, avg3(J, I, X)); put(3, 2, avg3(J, I, X));
      put(1, 2, avg3(K, J, I)); put(3, 3, avg3(K, J, I));
      put(1, 3, avg3(L, K, J));
      break;
  }
}
