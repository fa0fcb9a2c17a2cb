// The inverse DCT at 1/1, 1/2, 1/4 or 1/8 of the block size, as libjpeg's scale_denom does: an N×N output
// (N = 8, 4, 2, 1) from the top-left N×N coefficients, i.e. the 8-point basis evaluated on an N-point grid:
//   f(x, y) = ¼ Σ_{u,v<N} C(u)C(v) F(u,v) cos((2x+1)uπ / 2N) cos((2y+1)vπ / 2N),  C(0) = 1/√2, else 1
// so N = 1 is the block's mean (DC / 8). Basis values are fixed point (×2¹⁵) and every sum is an integer
// below 2⁵³, so each runtime computes the same bytes.
export const ZIGZAG_TO_NATURAL = new Uint8Array([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
]);

const FRACTION_BITS = 15;
const OUTPUT_DIVISOR = 2 ** (2 * FRACTION_BITS + 2); // the two basis scales and the ¼
const HALF = OUTPUT_DIVISOR / 2;

function basis(n: number): Float64Array {
  const table = new Float64Array(n * n);
  for (let x = 0; x < n; x++) {
    for (let u = 0; u < n; u++) {
      const c = u === 0 ? Math.SQRT1_2 : 1;
      table[x * n + u] = Math.round(c * Math.cos(((2 * x + 1) * u * Math.PI) / (2 * n)) * 2 ** FRACTION_BITS);
    }
  }
  return table;
}

const BASES: Record<number, Float64Array> = { 1: basis(1), 2: basis(2), 4: basis(4), 8: basis(8) };

/** For each natural position (v·8 + u) with u, v < N: its zigzag index; what the coefficient store is read by. */
function zigzagOf(n: number): Uint8Array {
  const out = new Uint8Array(n * n);
  for (let zz = 0; zz < 64; zz++) {
    const natural = ZIGZAG_TO_NATURAL[zz]!;
    const u = natural & 7;
    const v = natural >> 3;
    if (u < n && v < n) out[v * n + u] = zz;
  }
  return out;
}

const ZIGZAG_OF: Record<number, Uint8Array> = { 1: zigzagOf(1), 2: zigzagOf(2), 4: zigzagOf(4), 8: zigzagOf(8) };

/** Coefficients needed per block (a zigzag prefix) for an N×N output. */
export function coefficientsFor(n: number): number {
  return Math.max(...ZIGZAG_OF[n]!) + 1;
}

/**
 * One block: `coeffs[from..]` (zigzag order, `quant` likewise) → N×N samples written at `out[at]`, rows
 * `stride` apart, level-shifted by 128 and clamped to 0..255. `work` holds N·N intermediates.
 */
export function idctBlock(
  n: number,
  coeffs: Int16Array,
  from: number,
  quant: Uint16Array,
  out: Uint8Array,
  at: number,
  stride: number,
  work: Float64Array,
): void {
  if (n === 1) {
    const t = BASES[1]![0]!;
    const v = Math.floor((t * t * coeffs[from]! * quant[0]! + HALF) / OUTPUT_DIVISOR) + 128;
    out[at] = v < 0 ? 0 : v > 255 ? 255 : v;
    return;
  }
  const table = BASES[n]!;
  const zz = ZIGZAG_OF[n]!;
  // Most blocks of a photo are sparse and many hold a DC term alone. A zero coefficient adds exactly 0 to every
  // sum, so skipping it cannot change a sum; and a DC-only block is T[x][0]·T[y][0]·F(0,0) everywhere, where
  // T[·][0] = round(√½·2¹⁵) is the N = 1 basis: the block is the N = 1 value, 64 times.
  const rows = liveRows(n, coeffs, from, zz);
  if (rows === 1 && onlyDc(n, coeffs, from, zz)) {
    const t = BASES[1]![0]!;
    const dc = Math.floor((t * t * coeffs[from]! * quant[0]! + HALF) / OUTPUT_DIVISOR) + 128;
    const value = dc < 0 ? 0 : dc > 255 ? 255 : dc;
    for (let y = 0; y < n; y++) out.fill(value, at + y * stride, at + y * stride + n);
    return;
  }
  // Rows: work[v][x] = Σ_u T[x][u] F(u, v); rows from `rows` on hold only zeros.
  for (let v = 0; v < rows; v++) {
    for (let x = 0; x < n; x++) {
      let sum = 0;
      for (let u = 0; u < n; u++) {
        const k = zz[v * n + u]!;
        const f = coeffs[from + k]!;
        if (f !== 0) sum += table[x * n + u]! * f * quant[k]!;
      }
      work[v * n + x] = sum;
    }
  }
  // Columns: f(x, y) = Σ_v T[y][v] work[v][x]
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let sum = 0;
      for (let v = 0; v < rows; v++) sum += table[y * n + v]! * work[v * n + x]!;
      const value = Math.floor((sum + HALF) / OUTPUT_DIVISOR) + 128;
      out[at + y * stride + x] = value < 0 ? 0 : value > 255 ? 255 : value;
    }
  }
}

/** 1 + the last coefficient row v (of the N×N the output reads) with a non-zero coefficient; 0 for none. */
function liveRows(n: number, coeffs: Int16Array, from: number, zz: Uint8Array): number {
  for (let v = n - 1; v > 0; v--) {
    for (let u = 0; u < n; u++) if (coeffs[from + zz[v * n + u]!] !== 0) return v + 1;
  }
  return 1;
}

/** Whether row 0's coefficients past the DC term are all zero. */
function onlyDc(n: number, coeffs: Int16Array, from: number, zz: Uint8Array): boolean {
  for (let u = 1; u < n; u++) if (coeffs[from + zz[u]!] !== 0) return false;
  return true;
}

/**
 * N = 1 over a whole plane: at 1/8 the plane is one sample per block, so sample i is block i's mean from its DC
 * term alone (`coeffs[i · perBlock]`), with exactly idctBlock's N = 1 arithmetic, without a call per block.
 */
export function dcPlane(
  coeffs: Int16Array,
  perBlock: number,
  blocks: number,
  quant: Uint16Array,
  out: Uint8Array,
): void {
  const tt = BASES[1]![0]! * BASES[1]![0]!;
  const q = quant[0]!;
  for (let i = 0; i < blocks; i++) {
    const v = Math.floor((tt * coeffs[i * perBlock]! * q + HALF) / OUTPUT_DIVISOR) + 128;
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}
