// Conv2DBackpropFilter, NHWC f32: dW[kh,kw,ci,co] = Σ over (n, oh, ow) of x[n, oh·s+kh−pt, ow·s+kw−pl, ci]·dy[n,oh,ow,co].
// For each filter tap that is a rank-1 update per output pixel, so the kernel holds a 4 (ci) × 8 (co) tile of dW
// in eight f32x4 registers and streams pixels through it: per pixel two dy vectors, four x values splat, eight
// multiply-adds (fused when the module is built with relaxed SIMD). Pixels come in blocks of whole output rows,
// few enough to stay in L1 while every tile of every tap passes over them. Needs Cin % 4 == 0 and Cout % 8 == 0.

// Parameter block: 17 consecutive i32.
const N = 0, H = 4, W = 8, CIN = 12, OH = 16, OW = 20, COUT = 24, KH = 28, KW = 32, STRIDE_H = 36, STRIDE_W = 40;
const PAD_TOP = 44, PAD_LEFT = 48, X = 52, DY = 56, DW = 60, ROWS_PER_BLOCK = 64;

@inline function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

export function convBackpropFilter(p: usize): void {
  const kh = load<i32>(p, KH), kw = load<i32>(p, KW), cin = load<i32>(p, CIN), cout = load<i32>(p, COUT);
  const w = load<i32>(p, W), ow = load<i32>(p, OW), sw = load<i32>(p, STRIDE_W), pl = load<i32>(p, PAD_LEFT);
  const dw = <usize>load<i32>(p, DW);
  const rows = load<i32>(p, N) * load<i32>(p, OH), rowsPerBlock = load<i32>(p, ROWS_PER_BLOCK);
  memory.fill(dw, 0, <usize>(kh * kw * cin * cout) << 2);
  for (let r0 = 0; r0 < rows; r0 += rowsPerBlock) {
    const r1 = min(r0 + rowsPerBlock, rows);
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        // Output columns whose input column ow·sw + j − pl lies inside the image. i32 division truncates toward
        // zero, so a negative numerator is handled apart: for the last column that would floor, not truncate.
        const owStart = max(0, (pl - j + sw - 1) / sw);
        const last = w - 1 + pl - j;
        const owEnd = last < 0 ? 0 : min(ow, last / sw + 1);
        if (owStart >= owEnd) continue;
        const tap = dw + (<usize>((i * kw + j) * cin * cout) << 2);
        for (let ci = 0; ci < cin; ci += 4) {
          for (let co = 0; co < cout; co += 8) {
            tile(p, tap + (<usize>(ci * cout + co) << 2), r0, r1, i, j, owStart, owEnd - owStart, ci, co);
          }
        }
      }
    }
  }
}

/** Adds the block's rows' contributions to one 4×8 tile of tap (i, j). */
@inline function tile(p: usize, out: usize, r0: i32, r1: i32, i: i32, j: i32, owStart: i32, count: i32, ci: i32, co: i32): void {
  const h = load<i32>(p, H), w = load<i32>(p, W), cin = load<i32>(p, CIN), oh = load<i32>(p, OH), ow = load<i32>(p, OW);
  const cout = load<i32>(p, COUT), sh = load<i32>(p, STRIDE_H), sw = load<i32>(p, STRIDE_W);
  const pt = load<i32>(p, PAD_TOP), pl = load<i32>(p, PAD_LEFT);
  const x = <usize>load<i32>(p, X), dy = <usize>load<i32>(p, DY);
  const outRow = <usize>cout << 2;
  const xStep = <usize>(sw * cin) << 2, dyStep = <usize>cout << 2;
  let a00 = v128.load(out), a01 = v128.load(out, 16);
  let a10 = v128.load(out + outRow), a11 = v128.load(out + outRow, 16);
  let a20 = v128.load(out + 2 * outRow), a21 = v128.load(out + 2 * outRow, 16);
  let a30 = v128.load(out + 3 * outRow), a31 = v128.load(out + 3 * outRow, 16);
  for (let r = r0; r < r1; r++) {
    const img = r / oh;
    const iy = (r - img * oh) * sh + i - pt;
    if (iy < 0 || iy >= h) continue;
    let xp = x + (<usize>(((img * h + iy) * w + owStart * sw + j - pl) * cin + ci) << 2);
    let dp = dy + (<usize>((r * ow + owStart) * cout + co) << 2);
    for (let t = 0; t < count; t++) {
      const d0 = v128.load(dp), d1 = v128.load(dp, 16);
      const x0 = v128.load32_splat(xp), x1 = v128.load32_splat(xp, 4);
      const x2 = v128.load32_splat(xp, 8), x3 = v128.load32_splat(xp, 12);
      a00 = madd(a00, x0, d0); a01 = madd(a01, x0, d1);
      a10 = madd(a10, x1, d0); a11 = madd(a11, x1, d1);
      a20 = madd(a20, x2, d0); a21 = madd(a21, x2, d1);
      a30 = madd(a30, x3, d0); a31 = madd(a31, x3, d1);
      xp += xStep;
      dp += dyStep;
    }
  }
  v128.store(out, a00); v128.store(out, a01, 16);
  v128.store(out + outRow, a10); v128.store(out + outRow, a11, 16);
  v128.store(out + 2 * outRow, a20); v128.store(out + 2 * outRow, a21, 16);
  v128.store(out + 3 * outRow, a30); v128.store(out + 3 * outRow, a31, 16);
}
