// PNG → RawImage with the pure-JS fast-png decoder, normalised to 8-bit gray or RGB:
// palette → its colours; 1/2/4-bit gray → scaled to 0..255; 16-bit → 8-bit by rounding v/257;
// alpha (and palette transparency) → composited over white. A tRNS colour key on a non-palette image
// is ignored: such files are rare and the key colour is still a real colour.
import { convertIndexedToRgb, decode as decodePngPixels, type DecodedPng } from 'fast-png';
import { compositeOverWhite } from './alpha.ts';
import { ImageError } from './errors.ts';
import type { RawImage } from './types.ts';

function to8Bit(png: DecodedPng): Uint8Array {
  const { data, depth, width, height, channels } = png;
  if (depth === 8) return data instanceof Uint8Array ? data : new Uint8Array(data);
  const samples = width * height * channels;
  const out = new Uint8Array(samples);
  if (depth === 16) {
    for (let i = 0; i < samples; i++) out[i] = Math.floor((data[i]! + 128) / 257);
    return out;
  }
  // 1, 2 or 4 bits per sample, packed, each row starting on a byte boundary.
  const max = (1 << depth) - 1;
  const rowBytes = Math.ceil((width * channels * depth) / 8);
  const perRow = width * channels;
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < perRow; i++) {
      const bit = i * depth;
      const byte = data[y * rowBytes + (bit >> 3)]!;
      const value = (byte >> (8 - depth - (bit & 7))) & max;
      out[y * perRow + i] = Math.floor((value * 255) / max);
    }
  }
  return out;
}

/** Drops an alpha channel by compositing over white: 2 → 1 channel, 4 → 3 channels. */
function flattenAlpha(data: Uint8Array, pixels: number, channels: number): Uint8Array {
  const colour = channels - 1;
  const out = new Uint8Array(pixels * colour);
  for (let p = 0; p < pixels; p++) {
    const a = data[p * channels + colour]!;
    for (let k = 0; k < colour; k++) out[p * colour + k] = compositeOverWhite(data[p * channels + k]!, a);
  }
  return out;
}

export function decodePng(bytes: Uint8Array): RawImage {
  let png: DecodedPng;
  let samples: Uint8Array;
  let channels: number;
  try {
    png = decodePngPixels(bytes, { checkCrc: true });
    if (png.palette) {
      samples = convertIndexedToRgb(png);
      channels = png.palette[0]?.length ?? 3;
    } else {
      samples = to8Bit(png);
      channels = png.channels;
    }
  } catch (error) {
    throw new ImageError('corrupt_image', `PNG could not be decoded: ${(error as Error).message}`);
  }
  const { width, height } = png;
  if (samples.length !== width * height * channels) {
    throw new ImageError('corrupt_image', `PNG is truncated: ${samples.length} samples for a ${width}×${height} image`);
  }
  if (channels === 2 || channels === 4) {
    samples = flattenAlpha(samples, width * height, channels);
    channels -= 1;
  }
  if (channels !== 1 && channels !== 3) {
    throw new ImageError('unsupported_format', `PNG with ${channels} channels is not supported`);
  }
  return { width, height, channels, data: samples };
}
