// The VP8 loop filter (RFC 6386 §15) in WebAssembly SIMD (AssemblyScript; `npm run build:wasm -w shared` builds the
// committed webp-filter.wasm): one macroblock row of the band that shared/src/image/webp/vp8/decode.ts keeps in this
// module's memory, with the results of shared/src/image/webp/vp8/loop-filter.ts, bit for bit.
//
// Each edge is filtered 16 positions at a time (luma; chroma puts U's 8 and V's 8 side by side): the 8 samples
// across the edge, p3..q3, as 8 vectors. Horizontal edges load them as rows; vertical edges transpose 16 rows of 8.
// The arithmetic is the spec's in signed bytes with saturation (samples − 128), which gives its clamps exactly: a
// sum saturated step by step ends where the clamped sum does, since once a step saturates the rest push the same way.

/** Per macroblock, 4 bytes: edge limit of inner edges (0: not filtered), interior limit, hev threshold, inner. */
const PARAM_BYTES = 4;

let P3 = i64x2.splat(0), P2 = i64x2.splat(0), P1 = i64x2.splat(0), P0 = i64x2.splat(0);
let Q0 = i64x2.splat(0), Q1 = i64x2.splat(0), Q2 = i64x2.splat(0), Q3 = i64x2.splat(0);

@inline function lo8(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}
@inline function hi8(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
}
@inline function lo16(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 0, 8, 1, 9, 2, 10, 3, 11);
}
@inline function hi16(a: v128, b: v128): v128 {
  return i16x8.shuffle(a, b, 4, 12, 5, 13, 6, 14, 7, 15);
}
@inline function lo32(a: v128, b: v128): v128 {
  return i32x4.shuffle(a, b, 0, 4, 1, 5);
}
@inline function hi32(a: v128, b: v128): v128 {
  return i32x4.shuffle(a, b, 2, 6, 3, 7);
}
@inline function lo64(a: v128, b: v128): v128 {
  return i64x2.shuffle(a, b, 0, 2);
}
@inline function hi64(a: v128, b: v128): v128 {
  return i64x2.shuffle(a, b, 1, 3);
}

/** Rows of 8 bytes (0..7 from `a`, 8..15 from `b`, `stride` apart) → P3..Q3, byte r of each from row r. */
@inline function loadColumns(a: usize, b: usize, stride: usize): void {
  const b0 = lo64(v128.load64_zero(a), v128.load64_zero(b));
  const b1 = lo64(v128.load64_zero(a + stride), v128.load64_zero(b + stride));
  const b2 = lo64(v128.load64_zero(a + 2 * stride), v128.load64_zero(b + 2 * stride));
  const b3 = lo64(v128.load64_zero(a + 3 * stride), v128.load64_zero(b + 3 * stride));
  const b4 = lo64(v128.load64_zero(a + 4 * stride), v128.load64_zero(b + 4 * stride));
  const b5 = lo64(v128.load64_zero(a + 5 * stride), v128.load64_zero(b + 5 * stride));
  const b6 = lo64(v128.load64_zero(a + 6 * stride), v128.load64_zero(b + 6 * stride));
  const b7 = lo64(v128.load64_zero(a + 7 * stride), v128.load64_zero(b + 7 * stride));
  // Byte pairs (rows 2p, 2p+1) per column: low from rows 0..7, high from rows 8..15.
  const l0 = lo8(b0, b1), l1 = lo8(b2, b3), l2 = lo8(b4, b5), l3 = lo8(b6, b7);
  const h0 = hi8(b0, b1), h1 = hi8(b2, b3), h2 = hi8(b4, b5), h3 = hi8(b6, b7);
  // Four rows per column: columns 0..3 (lo) and 4..7 (hi), rows 0..3, 4..7, 8..11, 12..15.
  const d0 = lo16(l0, l1), d1 = lo16(l2, l3), e0 = lo16(h0, h1), e1 = lo16(h2, h3);
  const f0 = hi16(l0, l1), f1 = hi16(l2, l3), g0 = hi16(h0, h1), g1 = hi16(h2, h3);
  // Eight rows per column, two columns per vector.
  const c01 = lo32(d0, d1), c23 = hi32(d0, d1), c45 = lo32(f0, f1), c67 = hi32(f0, f1);
  const k01 = lo32(e0, e1), k23 = hi32(e0, e1), k45 = lo32(g0, g1), k67 = hi32(g0, g1);
  P3 = lo64(c01, k01);
  P2 = hi64(c01, k01);
  P1 = lo64(c23, k23);
  P0 = hi64(c23, k23);
  Q0 = lo64(c45, k45);
  Q1 = hi64(c45, k45);
  Q2 = lo64(c67, k67);
  Q3 = hi64(c67, k67);
}

/** The inverse of loadColumns. */
@inline function storeColumns(a: usize, b: usize, stride: usize): void {
  const l0 = lo8(P3, P2), l1 = lo8(P1, P0), l2 = lo8(Q0, Q1), l3 = lo8(Q2, Q3);
  const h0 = hi8(P3, P2), h1 = hi8(P1, P0), h2 = hi8(Q0, Q1), h3 = hi8(Q2, Q3);
  // Per row, columns 0..3 and 4..7: rows 0..3 (lo16) and 4..7 (hi16) of each half.
  const r03a = lo16(l0, l1), r47a = hi16(l0, l1), r03b = lo16(l2, l3), r47b = hi16(l2, l3);
  const s03a = lo16(h0, h1), s47a = hi16(h0, h1), s03b = lo16(h2, h3), s47b = hi16(h2, h3);
  const r01 = lo32(r03a, r03b), r23 = hi32(r03a, r03b), r45 = lo32(r47a, r47b), r67 = hi32(r47a, r47b);
  const s01 = lo32(s03a, s03b), s23 = hi32(s03a, s03b), s45 = lo32(s47a, s47b), s67 = hi32(s47a, s47b);
  v128.store64_lane(a, r01, 0);
  v128.store64_lane(a + stride, r01, 1);
  v128.store64_lane(a + 2 * stride, r23, 0);
  v128.store64_lane(a + 3 * stride, r23, 1);
  v128.store64_lane(a + 4 * stride, r45, 0);
  v128.store64_lane(a + 5 * stride, r45, 1);
  v128.store64_lane(a + 6 * stride, r67, 0);
  v128.store64_lane(a + 7 * stride, r67, 1);
  v128.store64_lane(b, s01, 0);
  v128.store64_lane(b + stride, s01, 1);
  v128.store64_lane(b + 2 * stride, s23, 0);
  v128.store64_lane(b + 3 * stride, s23, 1);
  v128.store64_lane(b + 4 * stride, s45, 0);
  v128.store64_lane(b + 5 * stride, s45, 1);
  v128.store64_lane(b + 6 * stride, s67, 0);
  v128.store64_lane(b + 7 * stride, s67, 1);
}

/** 16 samples of a row of luma, `stride` apart per row, p3 at `at − 4·stride`. */
@inline function loadRows(at: usize, stride: usize): void {
  P3 = v128.load(at - 4 * stride);
  P2 = v128.load(at - 3 * stride);
  P1 = v128.load(at - 2 * stride);
  P0 = v128.load(at - stride);
  Q0 = v128.load(at);
  Q1 = v128.load(at + stride);
  Q2 = v128.load(at + 2 * stride);
  Q3 = v128.load(at + 3 * stride);
}

@inline function storeRows(at: usize, stride: usize): void {
  v128.store(at - 3 * stride, P2);
  v128.store(at - 2 * stride, P1);
  v128.store(at - stride, P0);
  v128.store(at, Q0);
  v128.store(at + stride, Q1);
  v128.store(at + 2 * stride, Q2);
}

@inline function halfRow(u: usize, v: usize): v128 {
  return v128.load64_lane(v, v128.load64_zero(u), 1);
}

/** 8 samples of U beside the same 8 of V, rows `stride` apart. */
@inline function loadChromaRows(u: usize, v: usize, stride: usize): void {
  P3 = halfRow(u - 4 * stride, v - 4 * stride);
  P2 = halfRow(u - 3 * stride, v - 3 * stride);
  P1 = halfRow(u - 2 * stride, v - 2 * stride);
  P0 = halfRow(u - stride, v - stride);
  Q0 = halfRow(u, v);
  Q1 = halfRow(u + stride, v + stride);
  Q2 = halfRow(u + 2 * stride, v + 2 * stride);
  Q3 = halfRow(u + 3 * stride, v + 3 * stride);
}

@inline function storeHalfRow(u: usize, v: usize, x: v128): void {
  v128.store64_lane(u, x, 0);
  v128.store64_lane(v, x, 1);
}

@inline function storeChromaRows(u: usize, v: usize, stride: usize): void {
  storeHalfRow(u - 3 * stride, v - 3 * stride, P2);
  storeHalfRow(u - 2 * stride, v - 2 * stride, P1);
  storeHalfRow(u - stride, v - stride, P0);
  storeHalfRow(u, v, Q0);
  storeHalfRow(u + stride, v + stride, Q1);
  storeHalfRow(u + 2 * stride, v + 2 * stride, Q2);
}

@inline function absDiff(a: v128, b: v128): v128 {
  return v128.or(i8x16.sub_sat_u(a, b), i8x16.sub_sat_u(b, a));
}

/** Lanes where 2·|p0−q0| + |p1−q1|/2 ≤ limit (limits stay under 255, so the saturated sum compares alike). */
@inline function edgeMask(limit: v128): v128 {
  const a = absDiff(P0, Q0);
  const sum = i8x16.add_sat_u(i8x16.add_sat_u(a, a), i8x16.shr_u(absDiff(P1, Q1), 1));
  return i8x16.le_u(sum, limit);
}

const SIGN = i8x16.splat(-128);
const FOUR = i8x16.splat(4);
const THREE = i8x16.splat(3);
const ONE = i8x16.splat(1);
const ROUND = i16x8.splat(63);
const W27 = i16x8.splat(27), W18 = i16x8.splat(18), W9 = i16x8.splat(9);

/** (k·w + 63) >> 7 per lane of signed bytes w. */
@inline function tap(w: v128, k: v128): v128 {
  const lo = i16x8.shr_s(i16x8.add(i16x8.mul(i16x8.extend_low_i8x16_s(w), k), ROUND), 7);
  const hi = i16x8.shr_s(i16x8.add(i16x8.mul(i16x8.extend_high_i8x16_s(w), k), ROUND), 7);
  return i8x16.narrow_i16x8_s(lo, hi);
}

/** The simple filter's adjustment of p0/q0 in the lanes `edgeMask(limit)` selects. */
@inline function simpleFilter(limit: v128): void {
  const mask = edgeMask(limit);
  const p1 = v128.xor(P1, SIGN), p0 = v128.xor(P0, SIGN), q0 = v128.xor(Q0, SIGN), q1 = v128.xor(Q1, SIGN);
  const d = i8x16.sub_sat_s(q0, p0);
  const a = v128.and(i8x16.add_sat_s(i8x16.add_sat_s(i8x16.add_sat_s(i8x16.sub_sat_s(p1, q1), d), d), d), mask);
  const a1 = i8x16.shr_s(i8x16.add_sat_s(a, FOUR), 3);
  const a2 = i8x16.shr_s(i8x16.add_sat_s(a, THREE), 3);
  P0 = v128.xor(i8x16.add_sat_s(p0, a2), SIGN);
  Q0 = v128.xor(i8x16.sub_sat_s(q0, a1), SIGN);
}

/**
 * The normal filter: lanes past the edge limit or the interior limit are left; high-variance lanes get the
 * simple filter's adjustment; the rest the inner-edge filter (p1..q1) or the macroblock-edge filter (p2..q2).
 */
@inline function normalFilter(limit: v128, interior: v128, hevThreshold: v128, macroblockEdge: bool): void {
  let steps = i8x16.max_u(absDiff(P3, P2), absDiff(P2, P1));
  steps = i8x16.max_u(steps, i8x16.max_u(absDiff(Q3, Q2), absDiff(Q2, Q1)));
  const inner = i8x16.max_u(absDiff(P1, P0), absDiff(Q1, Q0));
  const mask = v128.and(edgeMask(limit), i8x16.le_u(i8x16.max_u(steps, inner), interior));
  if (!v128.any_true(mask)) return;
  const hev = i8x16.gt_u(inner, hevThreshold);
  const p2 = v128.xor(P2, SIGN), p1 = v128.xor(P1, SIGN), p0 = v128.xor(P0, SIGN);
  const q0 = v128.xor(Q0, SIGN), q1 = v128.xor(Q1, SIGN), q2 = v128.xor(Q2, SIGN);
  const d = i8x16.sub_sat_s(q0, p0);
  // With the outer taps: the high-variance adjustment, and the macroblock-edge filter's w.
  const outer = i8x16.add_sat_s(i8x16.add_sat_s(i8x16.add_sat_s(i8x16.sub_sat_s(p1, q1), d), d), d);
  if (macroblockEdge) {
    const a = v128.and(outer, v128.and(mask, hev));
    const a1 = i8x16.shr_s(i8x16.add_sat_s(a, FOUR), 3);
    const a2 = i8x16.shr_s(i8x16.add_sat_s(a, THREE), 3);
    const w = v128.and(outer, v128.andnot(mask, hev));
    const t27 = tap(w, W27), t18 = tap(w, W18), t9 = tap(w, W9);
    P2 = v128.xor(i8x16.add_sat_s(p2, t9), SIGN);
    P1 = v128.xor(i8x16.add_sat_s(p1, t18), SIGN);
    P0 = v128.xor(i8x16.add_sat_s(i8x16.add_sat_s(p0, a2), t27), SIGN);
    Q0 = v128.xor(i8x16.sub_sat_s(i8x16.sub_sat_s(q0, a1), t27), SIGN);
    Q1 = v128.xor(i8x16.sub_sat_s(q1, t18), SIGN);
    Q2 = v128.xor(i8x16.sub_sat_s(q2, t9), SIGN);
  } else {
    // Without high variance the inner-edge filter drops the outer taps: 3·(q0−p0) alone.
    const plain = i8x16.add_sat_s(i8x16.add_sat_s(d, d), d);
    const a = v128.and(v128.bitselect(outer, plain, hev), mask);
    const a1 = i8x16.shr_s(i8x16.add_sat_s(a, FOUR), 3);
    const a2 = i8x16.shr_s(i8x16.add_sat_s(a, THREE), 3);
    const a3 = v128.andnot(i8x16.shr_s(i8x16.add_sat_s(a1, ONE), 1), hev);
    P1 = v128.xor(i8x16.add_sat_s(p1, a3), SIGN);
    P0 = v128.xor(i8x16.add_sat_s(p0, a2), SIGN);
    Q0 = v128.xor(i8x16.sub_sat_s(q0, a1), SIGN);
    Q1 = v128.xor(i8x16.sub_sat_s(q1, a3), SIGN);
  }
}

/**
 * Filters one macroblock row: `y`, `u`, `v` address the row's first sample in each plane (the rows above it, which
 * its top edges change, are in memory before them), `params` the macroblocks' PARAM_BYTES each. The order is
 * loop-filter.ts's: per macroblock, left edge, inner vertical edges, top edge, inner horizontal edges.
 */
export function filterRow(
  filterType: i32,
  mbWide: i32,
  y: usize,
  u: usize,
  v: usize,
  yStride: usize,
  uvStride: usize,
  params: usize,
  hasTop: bool,
): void {
  for (let mbx = 0; mbx < mbWide; mbx++) {
    const at = params + <usize>mbx * PARAM_BYTES;
    const limitValue = <i32>load<u8>(at);
    if (limitValue === 0) continue;
    const inner = load<u8>(at, 3) !== 0;
    const limit = i8x16.splat(<i8>limitValue);
    const edgeLimit = i8x16.splat(<i8>(limitValue + 4));
    const yAt = y + <usize>mbx * 16;
    const yBelow: usize = 8 * yStride;
    if (filterType === 1) {
      if (mbx > 0) {
        loadColumns(yAt - 4, yAt - 4 + yBelow, yStride);
        simpleFilter(edgeLimit);
        storeColumns(yAt - 4, yAt - 4 + yBelow, yStride);
      }
      if (inner) {
        for (let x: usize = 4; x < 16; x += 4) {
          loadColumns(yAt + x - 4, yAt + x - 4 + yBelow, yStride);
          simpleFilter(limit);
          storeColumns(yAt + x - 4, yAt + x - 4 + yBelow, yStride);
        }
      }
      if (hasTop) {
        loadRows(yAt, yStride);
        simpleFilter(edgeLimit);
        storeRows(yAt, yStride);
      }
      if (inner) {
        for (let r: usize = 4; r < 16; r += 4) {
          loadRows(yAt + r * yStride, yStride);
          simpleFilter(limit);
          storeRows(yAt + r * yStride, yStride);
        }
      }
      continue;
    }
    const interior = i8x16.splat(<i8>load<u8>(at, 1));
    const hev = i8x16.splat(<i8>load<u8>(at, 2));
    const uAt = u + <usize>mbx * 8;
    const vAt = v + <usize>mbx * 8;
    if (mbx > 0) {
      loadColumns(yAt - 4, yAt - 4 + yBelow, yStride);
      normalFilter(edgeLimit, interior, hev, true);
      storeColumns(yAt - 4, yAt - 4 + yBelow, yStride);
      loadColumns(uAt - 4, vAt - 4, uvStride);
      normalFilter(edgeLimit, interior, hev, true);
      storeColumns(uAt - 4, vAt - 4, uvStride);
    }
    if (inner) {
      for (let x: usize = 4; x < 16; x += 4) {
        loadColumns(yAt + x - 4, yAt + x - 4 + yBelow, yStride);
        normalFilter(limit, interior, hev, false);
        storeColumns(yAt + x - 4, yAt + x - 4 + yBelow, yStride);
      }
      loadColumns(uAt, vAt, uvStride);
      normalFilter(limit, interior, hev, false);
      storeColumns(uAt, vAt, uvStride);
    }
    if (hasTop) {
      loadRows(yAt, yStride);
      normalFilter(edgeLimit, interior, hev, true);
      storeRows(yAt, yStride);
      loadChromaRows(uAt, vAt, uvStride);
      normalFilter(edgeLimit, interior, hev, true);
      storeChromaRows(uAt, vAt, uvStride);
    }
    if (inner) {
      for (let r: usize = 4; r < 16; r += 4) {
        loadRows(yAt + r * yStride, yStride);
        normalFilter(limit, interior, hev, false);
        storeRows(yAt + r * yStride, yStride);
      }
      loadChromaRows(uAt + 4 * uvStride, vAt + 4 * uvStride, uvStride);
      normalFilter(limit, interior, hev, false);
      storeChromaRows(uAt + 4 * uvStride, vAt + 4 * uvStride, uvStride);
    }
  }
}
