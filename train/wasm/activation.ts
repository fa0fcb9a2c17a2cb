// ReLU's gradient in one pass: dx = dy where x > 0, else 0 (tfjs-core's is Step, Cast and Multiply: three).

export function reluGrad(x: usize, dy: usize, size: i32, dx: usize): void {
  const bytes = <usize>size << 2;
  const zero = f32x4.splat(0);
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) {
    v128.store(dx + i, v128.and(v128.load(dy + i), f32x4.gt(v128.load(x + i), zero)));
  }
  for (; i < bytes; i += 4) store<f32>(dx + i, load<f32>(x + i) > 0 ? load<f32>(dy + i) : 0);
}
