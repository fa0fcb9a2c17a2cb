// uint8 samples → float32, per the spec:
//   mean_std: (p / 255 − mean[c]) / std[c]     scale: p · scale + offset
// computed in float64 and stored as float32. A mean/std of length 1 applies to every channel.
// Only 256 values per channel exist, so they are computed once into a table and looked up.
import type { RawImage } from '../image/types.ts';
import type { Normalize } from './spec.ts';

function perChannel(values: readonly number[], channel: number): number {
  return values.length === 1 ? values[0]! : values[channel]!;
}

export function normalizationTable(normalize: Normalize, channels: number): Float32Array {
  const table = new Float32Array(256 * channels);
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < 256; p++) {
      table[c * 256 + p] =
        normalize.kind === 'mean_std'
          ? (p / 255 - perChannel(normalize.mean, c)) / perChannel(normalize.std, c)
          : p * normalize.scale + normalize.offset;
    }
  }
  return table;
}

export function normalizeToFloat(image: RawImage, normalize: Normalize): Float32Array {
  const c = image.channels;
  const table = normalizationTable(normalize, c);
  const data = image.data;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = table[(i % c) * 256 + data[i]!]!;
  return out;
}
