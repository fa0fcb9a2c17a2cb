// EXIF orientation: each fixture stores the same 48×32 scene as orientation N requires (the generator
// maps pixels from the EXIF definitions independently of the decoder) and carries the tag N, in both
// byte orders. Decoded, each must look like orientation 1 — up to JPEG's own compression noise.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '@resnet-edge/shared/image/decode';
import { applyOrientation, readExifOrientation, type Orientation } from '@resnet-edge/shared/image/exif';
import type { RawImage } from '@resnet-edge/shared/image/types';

const FIXTURES = join(import.meta.dirname, '../fixtures/images');
const decode = (name: string): RawImage => decodeImage(new Uint8Array(readFileSync(join(FIXTURES, name))));

function meanAbsDiff(a: RawImage, b: RawImage): number {
  expect([a.width, a.height, a.channels]).toEqual([b.width, b.height, b.channels]);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / a.data.length;
}

describe('EXIF orientation', () => {
  const upright = decode('orientation-1.jpg');

  it.each([2, 3, 4, 5, 6, 7, 8])('orientation %d decodes upright', (o) => {
    const image = decode(`orientation-${o}.jpg`);
    expect(meanAbsDiff(image, upright)).toBeLessThan(3);
  });

  it('is not trivially satisfied: the same pixels with the tag removed are far from upright', () => {
    for (const o of [2, 3, 4, 5, 6, 7, 8]) {
      const bytes = new Uint8Array(readFileSync(join(FIXTURES, `orientation-${o}.jpg`)));
      // The generator puts the APP1 segment right after SOI: cut it out.
      const app1Length = (bytes[4]! << 8) | bytes[5]!;
      const untagged = new Uint8Array([...bytes.subarray(0, 2), ...bytes.subarray(4 + app1Length)]);
      const stored = decodeImage(untagged);
      if (o >= 5) expect([stored.width, stored.height]).toEqual([32, 48]);
      else expect(meanAbsDiff(stored, upright)).toBeGreaterThan(20);
    }
  });

  it('transforms a 3×2 image exactly as EXIF defines', () => {
    // Stored pixels a b c / d e f (one channel, values 1..6).
    const image: RawImage = { width: 3, height: 2, channels: 1, data: new Uint8Array([1, 2, 3, 4, 5, 6]) };
    const rows = (o: Orientation): number[][] => {
      const r = applyOrientation(image, o);
      return Array.from({ length: r.height }, (_, y) => [...r.data.subarray(y * r.width, (y + 1) * r.width)]);
    };
    expect(rows(1)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(rows(2)).toEqual([
      [3, 2, 1],
      [6, 5, 4],
    ]);
    expect(rows(3)).toEqual([
      [6, 5, 4],
      [3, 2, 1],
    ]);
    expect(rows(4)).toEqual([
      [4, 5, 6],
      [1, 2, 3],
    ]);
    expect(rows(5)).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(rows(6)).toEqual([
      [4, 1],
      [5, 2],
      [6, 3],
    ]);
    expect(rows(7)).toEqual([
      [6, 3],
      [5, 2],
      [4, 1],
    ]);
    expect(rows(8)).toEqual([
      [3, 6],
      [2, 5],
      [1, 4],
    ]);
  });

  it('ignores malformed EXIF instead of refusing the photo', () => {
    const exif = (tiff: number[]): Uint8Array => new Uint8Array([0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff]);
    expect(
      readExifOrientation(exif([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0])),
    ).toBe(6);
    expect(
      readExifOrientation(exif([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 9, 0, 0])),
    ).toBeNull();
    expect(readExifOrientation(exif([0x4d, 0x4d, 0, 42, 0xff, 0xff, 0xff, 0, 0, 0]))).toBeNull(); // IFD offset past the end
    expect(readExifOrientation(exif([0x58, 0x58, 0, 42, 0, 0, 0, 8, 0, 0]))).toBeNull(); // bad byte order
    expect(readExifOrientation(new Uint8Array([1, 2, 3]))).toBeNull();
  });
});
