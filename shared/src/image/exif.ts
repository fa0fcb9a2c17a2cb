// EXIF orientation: reading the tag from an APP1 segment, and turning stored pixels into the image
// as the camera meant it to be seen. A malformed EXIF block is ignored (orientation 1) rather than
// refusing the photo: cameras and editors write plenty of broken metadata around perfectly good pixels.
import type { RawImage } from './types.ts';

export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

const EXIF_MAGIC = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]; // "Exif\0\0"
const ORIENTATION_TAG = 0x0112;

/** Orientation from an APP1 segment body (after the length field); null when absent or unreadable. */
export function readExifOrientation(app1: Uint8Array): Orientation | null {
  if (app1.length < 14 || !EXIF_MAGIC.every((b, i) => app1[i] === b)) return null;
  const tiff = app1.subarray(6);
  const little = tiff[0] === 0x49 && tiff[1] === 0x49; // "II"
  const big = tiff[0] === 0x4d && tiff[1] === 0x4d; // "MM"
  if (!little && !big) return null;
  const u16 = (at: number): number | null => {
    if (at < 0 || at + 2 > tiff.length) return null;
    return little ? tiff[at]! | (tiff[at + 1]! << 8) : (tiff[at]! << 8) | tiff[at + 1]!;
  };
  const u32 = (at: number): number | null => {
    const hi = little ? u16(at + 2) : u16(at);
    const lo = little ? u16(at) : u16(at + 2);
    return hi === null || lo === null ? null : hi * 0x10000 + lo;
  };
  if (u16(2) !== 42) return null;
  const ifd = u32(4);
  if (ifd === null) return null;
  const count = u16(ifd);
  if (count === null) return null;
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + i * 12;
    const tag = u16(entry);
    if (tag === null) return null;
    if (tag !== ORIENTATION_TAG) continue;
    const value = u16(entry + 8); // type SHORT, count 1: the value sits in the entry itself
    return value !== null && value >= 1 && value <= 8 ? (value as Orientation) : null;
  }
  return null;
}

/**
 * The displayed image for stored pixels tagged with `orientation` (EXIF 2.32, tag 0x0112):
 * 2 mirror left-right, 3 rotate 180°, 4 mirror top-bottom, 5 transpose, 6 rotate 90° clockwise,
 * 7 transverse, 8 rotate 90° counter-clockwise. 5–8 swap width and height.
 */
export function applyOrientation(image: RawImage, orientation: Orientation): RawImage {
  if (orientation === 1) return image;
  const { width: w, height: h, channels: c, data } = image;
  const swaps = orientation >= 5;
  const outW = swaps ? h : w;
  const outH = swaps ? w : h;
  const out = new Uint8Array(data.length);
  let o = 0;
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) {
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2:
          sx = w - 1 - x;
          sy = y;
          break;
        case 3:
          sx = w - 1 - x;
          sy = h - 1 - y;
          break;
        case 4:
          sx = x;
          sy = h - 1 - y;
          break;
        case 5:
          sx = y;
          sy = x;
          break;
        case 6:
          sx = y;
          sy = h - 1 - x;
          break;
        case 7:
          sx = w - 1 - y;
          sy = h - 1 - x;
          break;
        default:
          sx = w - 1 - y;
          sy = x;
          break; // 8
      }
      const s = (sy * w + sx) * c;
      for (let k = 0; k < c; k++) out[o++] = data[s + k]!;
    }
  }
  return { width: outW, height: outH, channels: c, data: out };
}
