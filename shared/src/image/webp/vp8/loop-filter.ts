// The loop filter (RFC 6386 §15) over one macroblock row already in the output band: per macroblock, left
// edge, inner vertical edges, top edge, inner horizontal edges — the order the spec's result depends on.
// `thresh` arguments are edge limits; the test 4·|p0−q0| + |p1−q1| ≤ 2·limit + 1 is the spec's
// 2·|p0−q0| + |p1−q1|/2 ≤ limit in integers.
import type { FilterStrength } from './frame-header.ts';

const sclamp128 = (v: number): number => (v < -128 ? -128 : v > 127 ? 127 : v);
const sclamp16 = (v: number): number => (v < -16 ? -16 : v > 15 ? 15 : v);
const clip255 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** The common adjustment of p0/q0 using the outer taps (simple filter, and high-variance edges). */
function filter2(b: Uint8Array, at: number, step: number): void {
  const p1 = b[at - 2 * step]!,
    p0 = b[at - step]!,
    q0 = b[at]!,
    q1 = b[at + step]!;
  const a = 3 * (q0 - p0) + sclamp128(p1 - q1);
  const a1 = sclamp16((a + 4) >> 3);
  const a2 = sclamp16((a + 3) >> 3);
  b[at - step] = clip255(p0 + a2);
  b[at] = clip255(q0 - a1);
}

/** Inner edge without high variance: p1..q1 adjusted. */
function filter4(b: Uint8Array, at: number, step: number): void {
  const p1 = b[at - 2 * step]!,
    p0 = b[at - step]!,
    q0 = b[at]!,
    q1 = b[at + step]!;
  const a = 3 * (q0 - p0);
  const a1 = sclamp16((a + 4) >> 3);
  const a2 = sclamp16((a + 3) >> 3);
  const a3 = (a1 + 1) >> 1;
  b[at - 2 * step] = clip255(p1 + a3);
  b[at - step] = clip255(p0 + a2);
  b[at] = clip255(q0 - a1);
  b[at + step] = clip255(q1 - a3);
}

/** Macroblock edge without high variance: p2..q2 adjusted with weights 27, 18, 9. */
function filter6(b: Uint8Array, at: number, step: number): void {
  const p2 = b[at - 3 * step]!,
    p1 = b[at - 2 * step]!,
    p0 = b[at - step]!;
  const q0 = b[at]!,
    q1 = b[at + step]!,
    q2 = b[at + 2 * step]!;
  const a = sclamp128(3 * (q0 - p0) + sclamp128(p1 - q1));
  const a1 = (27 * a + 63) >> 7;
  const a2 = (18 * a + 63) >> 7;
  const a3 = (9 * a + 63) >> 7;
  b[at - 3 * step] = clip255(p2 + a3);
  b[at - 2 * step] = clip255(p1 + a2);
  b[at - step] = clip255(p0 + a1);
  b[at] = clip255(q0 - a1);
  b[at + step] = clip255(q1 - a2);
  b[at + 2 * step] = clip255(q2 - a3);
}

/** `count` positions along an edge: `step` crosses the edge, `along` moves along it. */
function simpleEdge(b: Uint8Array, at: number, step: number, along: number, count: number, thresh: number): void {
  const thresh2 = 2 * thresh + 1;
  for (let i = 0; i < count; i++, at += along) {
    const p1 = b[at - 2 * step]!,
      p0 = b[at - step]!,
      q0 = b[at]!,
      q1 = b[at + step]!;
    if (4 * Math.abs(p0 - q0) + Math.abs(p1 - q1) <= thresh2) filter2(b, at, step);
  }
}

/**
 * The normal filter: an edge position is filtered when the step across it is under the edge limit and every
 * step beside it under the interior limit; high variance (|p1−p0| or |q1−q0| over the threshold) keeps the
 * outer taps. All eight samples are read once, before anything is written.
 */
function normalEdge(
  b: Uint8Array,
  at: number,
  step: number,
  along: number,
  count: number,
  thresh: number,
  interior: number,
  hev: number,
  macroblockEdge: boolean,
): void {
  const thresh2 = 2 * thresh + 1;
  for (let i = 0; i < count; i++, at += along) {
    const p1 = b[at - 2 * step]!,
      p0 = b[at - step]!,
      q0 = b[at]!,
      q1 = b[at + step]!;
    if (4 * Math.abs(p0 - q0) + Math.abs(p1 - q1) > thresh2) continue;
    const p3 = b[at - 4 * step]!,
      p2 = b[at - 3 * step]!,
      q2 = b[at + 2 * step]!,
      q3 = b[at + 3 * step]!;
    if (Math.abs(p3 - p2) > interior || Math.abs(p2 - p1) > interior || Math.abs(p1 - p0) > interior) continue;
    if (Math.abs(q3 - q2) > interior || Math.abs(q2 - q1) > interior || Math.abs(q1 - q0) > interior) continue;
    if (Math.abs(p1 - p0) > hev || Math.abs(q1 - q0) > hev) filter2(b, at, step);
    else if (macroblockEdge) filter6(b, at, step);
    else filter4(b, at, step);
  }
}

export interface BandPlanes {
  y: Uint8Array;
  u: Uint8Array;
  v: Uint8Array;
  yStride: number;
  uvStride: number;
  /** Offsets of the current macroblock row's first sample in each plane. */
  yRow: number;
  uvRow: number;
}

/** Filters macroblock `mbx` of the row in `planes`. `inner` says whether its inner edges are filtered. */
export function filterMacroblock(
  planes: BandPlanes,
  mbx: number,
  filterType: 1 | 2,
  f: FilterStrength,
  inner: boolean,
  hasLeft: boolean,
  hasTop: boolean,
): void {
  const { y, yStride } = planes;
  const yAt = planes.yRow + mbx * 16;
  const limit = f.limit;
  if (filterType === 1) {
    if (hasLeft) simpleEdge(y, yAt, 1, yStride, 16, limit + 4);
    if (inner) for (let x = 4; x < 16; x += 4) simpleEdge(y, yAt + x, 1, yStride, 16, limit);
    if (hasTop) simpleEdge(y, yAt, yStride, 1, 16, limit + 4);
    if (inner) for (let r = 4; r < 16; r += 4) simpleEdge(y, yAt + r * yStride, yStride, 1, 16, limit);
    return;
  }
  const { u, v, uvStride } = planes;
  const cAt = planes.uvRow + mbx * 8;
  const { interior, hevThreshold: hev } = f;
  if (hasLeft) {
    normalEdge(y, yAt, 1, yStride, 16, limit + 4, interior, hev, true);
    normalEdge(u, cAt, 1, uvStride, 8, limit + 4, interior, hev, true);
    normalEdge(v, cAt, 1, uvStride, 8, limit + 4, interior, hev, true);
  }
  if (inner) {
    for (let x = 4; x < 16; x += 4) normalEdge(y, yAt + x, 1, yStride, 16, limit, interior, hev, false);
    normalEdge(u, cAt + 4, 1, uvStride, 8, limit, interior, hev, false);
    normalEdge(v, cAt + 4, 1, uvStride, 8, limit, interior, hev, false);
  }
  if (hasTop) {
    normalEdge(y, yAt, yStride, 1, 16, limit + 4, interior, hev, true);
    normalEdge(u, cAt, uvStride, 1, 8, limit + 4, interior, hev, true);
    normalEdge(v, cAt, uvStride, 1, 8, limit + 4, interior, hev, true);
  }
  if (inner) {
    for (let r = 4; r < 16; r += 4) normalEdge(y, yAt + r * yStride, yStride, 1, 16, limit, interior, hev, false);
    normalEdge(u, cAt + 4 * uvStride, uvStride, 1, 8, limit, interior, hev, false);
    normalEdge(v, cAt + 4 * uvStride, uvStride, 1, 8, limit, interior, hev, false);
  }
}
