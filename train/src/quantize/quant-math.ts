// TFLite's int8 quantization scheme (https://ai.google.dev/edge/litert/models/quantization_spec):
//   real = scale × (q − zeroPoint)
// Activations: asymmetric int8 per tensor, the range always containing 0 so zero is exact (padding, ReLU).
// Weights: symmetric int8 in [−127, 127] (zero point 0), one scale per output channel.
// Bias: int32, zero point 0, scale = input scale × weight scale (per channel), so it adds straight into
// the int32 accumulator.

export interface Range {
  min: number;
  max: number;
}

export interface AffineParams {
  scale: number;
  zeroPoint: number;
}

/** Smallest scale we emit: an all-zero tensor still gets a valid, positive scale. */
const MIN_SCALE = 1e-8;

export function activationParams({ min, max }: Range): AffineParams {
  const lo = Math.min(0, min);
  const hi = Math.max(0, max);
  const scale = Math.max((hi - lo) / 255, MIN_SCALE);
  const zeroPoint = Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)));
  return { scale, zeroPoint };
}

/**
 * Symmetric per-channel quantization of a weight tensor whose channel index is the outermost (OHWI, [out, in]).
 * `channels` = 1 gives per-tensor quantization.
 */
export function quantizeWeights(values: Float32Array, channels: number): { data: Int8Array; scales: number[] } {
  const per = values.length / channels;
  const data = new Int8Array(values.length);
  const scales: number[] = [];
  for (let c = 0; c < channels; c++) {
    let maxAbs = 0;
    for (let i = c * per; i < (c + 1) * per; i++) maxAbs = Math.max(maxAbs, Math.abs(values[i]!));
    const scale = Math.max(maxAbs / 127, MIN_SCALE);
    scales.push(scale);
    for (let i = c * per; i < (c + 1) * per; i++)
      data[i] = Math.max(-127, Math.min(127, Math.round(values[i]! / scale)));
  }
  return { data, scales };
}

/** int32 bias with scale inputScale × weightScale[c]. */
export function quantizeBias(
  bias: Float32Array,
  inputScale: number,
  weightScales: number[],
): { data: Int32Array; scales: number[] } {
  const scales = Array.from(bias, (_, c) => inputScale * weightScales[weightScales.length === 1 ? 0 : c]!);
  const data = Int32Array.from(bias, (b, c) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(b / scales[c]!))));
  return { data, scales };
}

/** HWIO (TF.js) → OHWI (TFLite CONV_2D filter). */
export function hwioToOhwi(kernel: Float32Array, [kh, kw, cin, cout]: [number, number, number, number]): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let h = 0; h < kh; h++)
    for (let w = 0; w < kw; w++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++)
          out[((o * kh + h) * kw + w) * cin + i] = kernel[((h * kw + w) * cin + i) * cout + o]!;
  return out;
}

/** [in, out] (TF.js Dense) → [out, in] (TFLite FULLY_CONNECTED). */
export function transpose2d(m: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c]!;
  return out;
}
