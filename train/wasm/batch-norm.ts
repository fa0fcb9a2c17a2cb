// BatchNorm in training mode over NHWC f32 activations: `pixels` rows of `channels` values, channels a multiple
// of 4. Per-channel sums are taken in f32 over blocks of BLOCK rows and added to f64 totals, so a 65,536-row
// reduction keeps ≈1e-7 relative error (a single f32 running sum drifts to ≈1e-5).

const BLOCK = 256;

/** Σ x and Σ (x − mean)² per channel → mean and biased variance (what tf.moments gives). `scratch`: 12·C bytes. */
export function bnStats(x: usize, pixels: i32, channels: i32, mean: usize, variance: usize, scratch: usize): void {
  const block = scratch, total = scratch + (<usize>channels << 2);
  channelSums(x, 0, pixels, channels, block, total, false);
  for (let c = 0; c < channels; c++) store<f32>(mean + (<usize>c << 2), <f32>(load<f64>(total + (<usize>c << 3)) / <f64>pixels));
  channelSums(x, mean, pixels, channels, block, total, true);
  for (let c = 0; c < channels; c++) store<f32>(variance + (<usize>c << 2), <f32>(load<f64>(total + (<usize>c << 3)) / <f64>pixels));
}

/** Σ x (or Σ (x − centre)² when `squares`) per channel into f64 `total`. */
function channelSums(x: usize, centre: usize, pixels: i32, channels: i32, block: usize, total: usize, squares: bool): void {
  const rowBytes = <usize>channels << 2;
  memory.fill(total, 0, <usize>channels << 3);
  for (let p0 = 0; p0 < pixels; p0 += BLOCK) {
    const p1 = min(p0 + BLOCK, pixels);
    memory.fill(block, 0, rowBytes);
    let row = x + <usize>p0 * rowBytes;
    for (let p = p0; p < p1; p++) {
      for (let c: usize = 0; c < rowBytes; c += 16) {
        let v = v128.load(row + c);
        if (squares) {
          v = f32x4.sub(v, v128.load(centre + c));
          v = f32x4.mul(v, v);
        }
        v128.store(block + c, f32x4.add(v128.load(block + c), v));
      }
      row += rowBytes;
    }
    addBlock(block, total, channels);
  }
}

function addBlock(block: usize, total: usize, channels: i32): void {
  for (let c = 0; c < channels; c++) {
    const t = total + (<usize>c << 3);
    store<f64>(t, load<f64>(t) + <f64>load<f32>(block + (<usize>c << 2)));
  }
}

/** y = x·scale[c] + shift[c]: the normalisation with γ/√(σ²+ε) and β − μ·γ/√(σ²+ε) folded per channel. */
export function channelAffine(x: usize, pixels: i32, channels: i32, scale: usize, shift: usize, y: usize): void {
  const rowBytes = <usize>channels << 2;
  const end = x + <usize>pixels * rowBytes;
  let out = y;
  for (let row = x; row < end; row += rowBytes) {
    for (let c: usize = 0; c < rowBytes; c += 16) {
      v128.store(out + c, f32x4.add(f32x4.mul(v128.load(row + c), v128.load(scale + c)), v128.load(shift + c)));
    }
    out += rowBytes;
  }
}

/** Σ dy and Σ dy·(x − mean) per channel, the two reductions the BatchNorm gradient needs. `scratch`: 24·C bytes. */
export function bnGradSums(x: usize, dy: usize, pixels: i32, channels: i32, mean: usize, sumDy: usize, sumDyXc: usize, scratch: usize): void {
  const rowBytes = <usize>channels << 2;
  const blockDy = scratch, blockDyXc = scratch + rowBytes;
  const totalDy = scratch + (rowBytes << 1), totalDyXc = totalDy + (<usize>channels << 3);
  memory.fill(totalDy, 0, <usize>channels << 4);
  for (let p0 = 0; p0 < pixels; p0 += BLOCK) {
    const p1 = min(p0 + BLOCK, pixels);
    memory.fill(blockDy, 0, rowBytes << 1);
    let offset = <usize>p0 * rowBytes;
    for (let p = p0; p < p1; p++) {
      for (let c: usize = 0; c < rowBytes; c += 16) {
        const g = v128.load(dy + offset + c);
        const xc = f32x4.sub(v128.load(x + offset + c), v128.load(mean + c));
        v128.store(blockDy + c, f32x4.add(v128.load(blockDy + c), g));
        v128.store(blockDyXc + c, f32x4.add(v128.load(blockDyXc + c), f32x4.mul(g, xc)));
      }
      offset += rowBytes;
    }
    addBlock(blockDy, totalDy, channels);
    addBlock(blockDyXc, totalDyXc, channels);
  }
  for (let c = 0; c < channels; c++) {
    store<f32>(sumDy + (<usize>c << 2), <f32>load<f64>(totalDy + (<usize>c << 3)));
    store<f32>(sumDyXc + (<usize>c << 2), <f32>load<f64>(totalDyXc + (<usize>c << 3)));
  }
}

/** dx = dy·a[c] + (x − mean[c])·b[c] + k[c]: the BatchNorm input gradient once its per-channel factors are known. */
export function bnGradInput(x: usize, dy: usize, pixels: i32, channels: i32, mean: usize, a: usize, b: usize, k: usize, dx: usize): void {
  const rowBytes = <usize>channels << 2;
  const bytes = <usize>pixels * rowBytes;
  for (let offset: usize = 0; offset < bytes; offset += rowBytes) {
    for (let c: usize = 0; c < rowBytes; c += 16) {
      const xc = f32x4.sub(v128.load(x + offset + c), v128.load(mean + c));
      const g = f32x4.add(f32x4.mul(v128.load(dy + offset + c), v128.load(a + c)), f32x4.mul(xc, v128.load(b + c)));
      v128.store(dx + offset + c, f32x4.add(g, v128.load(k + c)));
    }
  }
}
