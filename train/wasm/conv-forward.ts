// Convolution, NHWC f32, over an input already zero-padded (and, for a strided layer's input gradient, already
// spread out by the stride), so every tap of every output pixel is in bounds. Filters come packed by the host
// in blocks of 8 output channels: block b holds, for each k = (kh·KW + kw)·Cin + ci in order, the 8 values
// W[kh,kw,ci,8b…8b+7]. For a fixed kh the taps (kw, ci) are consecutive floats of the input row, so the inner
// loop walks input and filter block linearly: four output pixels × eight channels in eight f32x4 registers, per
// step two filter vectors, four input values splat, eight multiply-adds (fused with relaxed SIMD). Cout % 8 == 0.

// Parameter block: 14 consecutive i32.
const N = 0, HP = 4, WP = 8, CIN = 12, OH = 16, OW = 20, COUT = 24, KH = 28, KW = 32, STRIDE_H = 36, STRIDE_W = 40;
const X = 44, FILTER = 48, OUT = 52;

@inline function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}

export function convForward(p: usize): void {
  const n = load<i32>(p, N), hp = load<i32>(p, HP), wp = load<i32>(p, WP), cin = load<i32>(p, CIN);
  const oh = load<i32>(p, OH), ow = load<i32>(p, OW), cout = load<i32>(p, COUT), kh = load<i32>(p, KH), kw = load<i32>(p, KW);
  const sh = load<i32>(p, STRIDE_H), sw = load<i32>(p, STRIDE_W);
  const x = <usize>load<i32>(p, X), filter = <usize>load<i32>(p, FILTER);
  let out = <usize>load<i32>(p, OUT);
  const rowFloats = kw * cin; // one kernel row's taps, consecutive in the input
  const inRowBytes = <usize>(wp * cin) << 2;
  const pixStep = <usize>(sw * cin) << 2;
  const blockBytes = <usize>(kh * rowFloats) << 5;
  const outPixel = <usize>cout << 2;
  for (let img = 0; img < n; img++) {
    for (let y = 0; y < oh; y++) {
      const row = x + (<usize>((img * hp + y * sh) * wp * cin) << 2);
      let ox = 0;
      for (; ox + 4 <= ow; ox += 4) {
        const pix = row + <usize>ox * pixStep;
        for (let b: usize = 0; b < <usize>(cout >> 3); b++) {
          quad(pix, pixStep, inRowBytes, filter + b * blockBytes, kh, rowFloats, out + (b << 5), outPixel);
        }
        out += outPixel << 2;
      }
      for (; ox < ow; ox++) {
        const pix = row + <usize>ox * pixStep;
        for (let b: usize = 0; b < <usize>(cout >> 3); b++) {
          single(pix, inRowBytes, filter + b * blockBytes, kh, rowFloats, out + (b << 5));
        }
        out += outPixel;
      }
    }
  }
}

/** Four output pixels (input `pixStep` bytes apart) × one block of 8 channels. */
@inline function quad(pix: usize, pixStep: usize, inRowBytes: usize, block: usize, kh: i32, rowFloats: i32, out: usize, outPixel: usize): void {
  let a00 = f32x4.splat(0), a01 = f32x4.splat(0), a10 = f32x4.splat(0), a11 = f32x4.splat(0);
  let a20 = f32x4.splat(0), a21 = f32x4.splat(0), a30 = f32x4.splat(0), a31 = f32x4.splat(0);
  let w = block;
  const rowBytes = <usize>rowFloats << 2;
  for (let i = 0; i < kh; i++) {
    const p0 = pix + <usize>i * inRowBytes, end = p0 + rowBytes;
    for (let q = p0; q < end; q += 4) {
      const w0 = v128.load(w), w1 = v128.load(w, 16);
      const x0 = v128.load32_splat(q), x1 = v128.load32_splat(q + pixStep);
      const x2 = v128.load32_splat(q + 2 * pixStep), x3 = v128.load32_splat(q + 3 * pixStep);
      a00 = madd(a00, x0, w0); a01 = madd(a01, x0, w1);
      a10 = madd(a10, x1, w0); a11 = madd(a11, x1, w1);
      a20 = madd(a20, x2, w0); a21 = madd(a21, x2, w1);
      a30 = madd(a30, x3, w0); a31 = madd(a31, x3, w1);
      w += 32;
    }
  }
  v128.store(out, a00); v128.store(out, a01, 16);
  v128.store(out + outPixel, a10); v128.store(out + outPixel, a11, 16);
  v128.store(out + 2 * outPixel, a20); v128.store(out + 2 * outPixel, a21, 16);
  v128.store(out + 3 * outPixel, a30); v128.store(out + 3 * outPixel, a31, 16);
}

/** One output pixel × one block of 8 channels: the end of a row whose width is not a multiple of 4. */
@inline function single(pix: usize, inRowBytes: usize, block: usize, kh: i32, rowFloats: i32, out: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
  let w = block;
  const rowBytes = <usize>rowFloats << 2;
  for (let i = 0; i < kh; i++) {
    const p0 = pix + <usize>i * inRowBytes, end = p0 + rowBytes;
    for (let q = p0; q < end; q += 4) {
      const x0 = v128.load32_splat(q);
      a0 = madd(a0, x0, v128.load(w));
      a1 = madd(a1, x0, v128.load(w, 16));
      w += 32;
    }
  }
  v128.store(out, a0);
  v128.store(out, a1, 16);
}

/**
 * out = x [N,H,W,C] placed at (top, left) of a zeroed [N,HP,WP,C], with rows and columns spread `sh`/`sw` apart:
 * the padded input of a convolution (strides 1) or the zero-upsampled output gradient of a strided one.
 */
export function spread(x: usize, n: i32, h: i32, w: i32, c: i32, sh: i32, sw: i32, top: i32, left: i32, hp: i32, wp: i32, out: usize): void {
  const pixel = <usize>c << 2;
  memory.fill(out, 0, <usize>(n * hp * wp) * pixel);
  let src = x;
  for (let img = 0; img < n; img++) {
    for (let i = 0; i < h; i++) {
      let dst = out + <usize>((img * hp + top + i * sh) * wp + left) * pixel;
      if (sw == 1) {
        memory.copy(dst, src, <usize>w * pixel);
        src += <usize>w * pixel;
      } else {
        for (let j = 0; j < w; j++) {
          memory.copy(dst, src, pixel);
          src += pixel;
          dst += <usize>sw * pixel;
        }
      }
    }
  }
}
