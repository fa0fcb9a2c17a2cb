// Decoding real files: format sniffing, headers read without decoding, every error code, PNG flavours.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage, readImageHeader, sniffFormat } from '@resnet-edge/shared/image/decode';
import { ImageError, type ImageErrorCode } from '@resnet-edge/shared/image/errors';
import type { RawImage } from '@resnet-edge/shared/image/types';

const FIXTURES = join(import.meta.dirname, '../fixtures/images');
const file = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));

function codeOf(run: () => unknown): ImageErrorCode | 'no error' {
  try {
    run();
    return 'no error';
  } catch (error) {
    expect(error).toBeInstanceOf(ImageError);
    return (error as ImageError).code;
  }
}

function pixel(image: RawImage, x: number, y: number): number[] {
  const at = (y * image.width + x) * image.channels;
  return [...image.data.subarray(at, at + image.channels)];
}

describe('sniffFormat', () => {
  it('reads the magic bytes, not the name', () => {
    expect(sniffFormat(file('color-37x23.jpg'))).toBe('jpeg');
    expect(sniffFormat(file('gray-33x21.png'))).toBe('png');
    expect(sniffFormat(file('sample-32x24.webp'))).toBe('webp');
    expect(sniffFormat(file('not-an-image.jpg'))).toBeNull();
    expect(sniffFormat(new Uint8Array(0))).toBeNull();
    expect(sniffFormat(new Uint8Array([0xff, 0xd8]))).toBeNull();
  });
});

describe('readImageHeader', () => {
  it.each([
    ['color-640x427.jpg', 'jpeg', 640, 427],
    ['color-37x23.jpg', 'jpeg', 37, 23],
    ['gray-61x45.jpg', 'jpeg', 61, 45],
    ['orientation-6.jpg', 'jpeg', 32, 48], // the stored size: orientation is applied when decoding
    ['gray-33x21.png', 'png', 33, 21],
    ['huge-header-50000x50000.png', 'png', 50_000, 50_000],
  ])('%s → %s %d×%d', (name, format, width, height) => {
    expect(readImageHeader(file(name))).toEqual({ format, width, height });
  });
});

describe('decodeImage', () => {
  it('decodes colour JPEG to 3 channels and one-component JPEG to 1', () => {
    const colour = decodeImage(file('color-640x427.jpg'));
    expect([colour.width, colour.height, colour.channels, colour.data.length]).toEqual([640, 427, 3, 640 * 427 * 3]);
    // The red marker in the top-left corner survives JPEG compression.
    const [r, g, b] = pixel(colour, 10, 10);
    expect(r).toBeGreaterThan(190);
    expect(g).toBeLessThan(70);
    expect(b).toBeLessThan(70);
    // Progressive with 4:2:0 chroma, as cameras and browsers write.
    const progressive = decodeImage(file('progressive-420-75x50.jpg'));
    expect([progressive.width, progressive.height, progressive.channels]).toEqual([75, 50, 3]);
    expect(pixel(progressive, 3, 3)[0]).toBeGreaterThan(190);
    expect(pixel(progressive, 3, 3)[1]).toBeLessThan(70);
    const gray = decodeImage(file('gray-61x45.jpg'));
    expect([gray.width, gray.height, gray.channels, gray.data.length]).toEqual([61, 45, 1, 61 * 45]);
  });

  it('decodes gray, RGB, RGBA, palette, 16-bit and 1-bit PNGs to 8-bit gray or RGB', () => {
    const expectations: [string, number, number, 1 | 3][] = [
      ['gray-33x21.png', 33, 21, 1],
      ['color-50x40.png', 50, 40, 3],
      ['rgba-40x30.png', 40, 30, 3],
      ['palette-40x30.png', 40, 30, 3],
      ['color16-24x16.png', 24, 16, 3],
      ['bilevel-19x11.png', 19, 11, 1],
    ];
    for (const [name, width, height, channels] of expectations) {
      const image = decodeImage(file(name));
      expect({ name, width: image.width, height: image.height, channels: image.channels }).toEqual({
        name,
        width,
        height,
        channels,
      });
      expect(image.data.length).toBe(width * height * channels);
    }
    // The palette's red marker colour, exactly.
    expect(pixel(decodeImage(file('palette-40x30.png')), 0, 0)).toEqual([220, 30, 30]);
    // 1-bit samples become 0 or 255.
    expect(new Set(decodeImage(file('bilevel-19x11.png')).data)).toEqual(new Set([0, 255]));
  });

  it('composites alpha over white: opaque left column unchanged, transparent right column white', () => {
    const rgba = decodeImage(file('rgba-40x30.png'));
    const rgb = decodeImage(file('color-50x40.png'));
    expect(pixel(rgba, 0, 0)).toEqual(pixel(rgb, 0, 0)); // both [220, 30, 30], alpha 255
    expect(pixel(rgba, 39, 15)).toEqual([255, 255, 255]); // alpha 0
  });

  it('rounds 16-bit samples to the nearest 8-bit value', () => {
    // Written as v·257 + small low-byte detail (< 64), so rounding v16 / 257 gives back v.
    const wide = decodeImage(file('color16-24x16.png'));
    expect(pixel(wide, 0, 0)).toEqual([220, 30, 30]);
  });

  it.each<[string, ImageErrorCode]>([
    ['empty.jpg', 'empty_image'],
    ['not-an-image.jpg', 'unsupported_format'],
    ['truncated.jpg', 'corrupt_image'],
    ['truncated.png', 'corrupt_image'],
    ['huge-header-50000x50000.png', 'too_many_pixels'],
  ])('%s → %s', (name, code) => {
    expect(codeOf(() => decodeImage(file(name)))).toBe(code);
  });

  it('decodes WebP to RGB (tests/shared/webp-decode.test.ts checks its pixels)', () => {
    const image = decodeImage(file('sample-32x24.webp'));
    expect([image.width, image.height, image.channels, image.data.length]).toEqual([32, 24, 3, 32 * 24 * 3]);
  });

  it('refuses damage that keeps the end marker: a cut JPEG scan, a flipped PNG data byte', () => {
    const cut = file('truncated.jpg');
    expect(codeOf(() => decodeImage(new Uint8Array([...cut, 0xff, 0xd9])))).toBe('corrupt_image');
    const png = file('color-50x40.png');
    png[100] = png[100]! ^ 0xff;
    expect(codeOf(() => decodeImage(png))).toBe('corrupt_image');
    // A JPEG cut inside its headers, before the frame header.
    expect(codeOf(() => decodeImage(file('color-37x23.jpg').subarray(0, 40)))).toBe('corrupt_image');
  });

  it('checks the pixel limit from the header, configurable', () => {
    const bytes = file('color-640x427.jpg'); // 273 280 pixels
    expect(codeOf(() => decodeImage(bytes, { maxPixels: 273_279 }))).toBe('too_many_pixels');
    expect(decodeImage(bytes, { maxPixels: 273_280 }).width).toBe(640);
    expect(() => decodeImage(bytes, { maxPixels: 1000 })).toThrow(
      /640×427 = 273280 pixels, more than the limit of 1000/,
    );
  });

  it('refuses the 2.5-gigapixel header without allocating it', () => {
    const started = performance.now();
    expect(codeOf(() => decodeImage(file('huge-header-50000x50000.png')))).toBe('too_many_pixels');
    expect(performance.now() - started).toBeLessThan(50);
  });
});
