// Channel conversion between what the file holds and what the model wants.
// Colour → gray uses ITU-R BT.601 luma in integers, so every runtime gets the same byte:
//   Y = floor((299·R + 587·G + 114·B + 500) / 1000)
// Gray → colour replicates the one channel into R, G and B.
import type { RawImage } from '../image/types.ts';

export function rgbToGray(image: RawImage): RawImage {
  if (image.channels === 1) return image;
  const pixels = image.width * image.height;
  const src = image.data;
  const out = new Uint8Array(pixels);
  for (let p = 0, s = 0; p < pixels; p++, s += 3) {
    out[p] = Math.floor((299 * src[s]! + 587 * src[s + 1]! + 114 * src[s + 2]! + 500) / 1000);
  }
  return { width: image.width, height: image.height, channels: 1, data: out };
}

export function grayToRgb(image: RawImage): RawImage {
  if (image.channels === 3) return image;
  const pixels = image.width * image.height;
  const src = image.data;
  const out = new Uint8Array(pixels * 3);
  for (let p = 0, o = 0; p < pixels; p++, o += 3) {
    const v = src[p]!;
    out[o] = v;
    out[o + 1] = v;
    out[o + 2] = v;
  }
  return { width: image.width, height: image.height, channels: 3, data: out };
}

/** One RGB row → gray with the same luma as rgbToGray. */
export function grayRow(rgb: Uint8Array, width: number, out: Uint8Array): void {
  for (let p = 0, s = 0; p < width; p++, s += 3) {
    out[p] = Math.floor((299 * rgb[s]! + 587 * rgb[s + 1]! + 114 * rgb[s + 2]! + 500) / 1000);
  }
}
