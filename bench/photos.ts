// Photo-like JPEGs for the edge benchmarks: ImageMagick's plasma fractal at quality 88 (4:2:0, as cameras
// write), baseline or progressive, made once in a cache folder. `bash scripts/bench-deps/imagemagick.sh`
// installs ImageMagick (CI needs none: tests make their images in TypeScript).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { preprocessSpecSchema } from '@resnet-edge/shared/preprocess/spec';

/** The decode benchmarks' model: 64×64 input, shorter side resized to 72 (so photos decode at 1/8 or 1/4). */
export const PHOTO_BENCH_SPEC = preprocessSpecSchema.parse({
  colorMode: 'rgb',
  resizeShorter: 72,
  resizeAlgorithm: 'bilinear',
  crop: { height: 64, width: 64 },
  normalize: { kind: 'scale', scale: 2 / 255, offset: -1 },
});

export type PhotoKind = 'baseline' | 'progressive';

const convertBinary = (): string => (existsSync('/usr/bin/convert') ? '/usr/bin/convert' : 'convert');

export function photo(dir: string, width: number, height: number, kind: PhotoKind = 'baseline'): Uint8Array {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `photo-${width}x${height}${kind === 'progressive' ? '-progressive' : ''}.jpg`);
  if (!existsSync(path)) {
    // plasma at a quarter of the side, then enlarged: the 40 MP plasma alone takes ImageMagick minutes.
    const quarter = `${Math.ceil(width / 4)}x${Math.ceil(height / 4)}`;
    const seed = ['-size', quarter, 'plasma:fractal', '-seed', '3', '-resize', `${width}x${height}!`];
    const source = width * height > 13e6 ? seed : ['-size', `${width}x${height}`, 'plasma:fractal', '-seed', '3'];
    const interlace = kind === 'progressive' ? ['-interlace', 'JPEG'] : [];
    execFileSync(convertBinary(), [...source, ...interlace, '-sampling-factor', '2x2', '-quality', '88', path]);
  }
  return new Uint8Array(readFileSync(path));
}

/** A photo-like WebP (lossy at quality 80, or lossless) made by ImageMagick from a plasma a quarter the size. */
export function webpPhoto(dir: string, width: number, height: number, lossless: boolean): Uint8Array {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `photo-${width}x${height}${lossless ? '-lossless' : ''}.webp`);
  if (!existsSync(path)) {
    const quarter = `${Math.ceil(width / 4)}x${Math.ceil(height / 4)}`;
    const seed = ['-size', quarter, 'plasma:fractal', '-seed', '3', '-resize', `${width}x${height}!`];
    const mode = lossless ? ['-define', 'webp:lossless=true'] : ['-quality', '80'];
    execFileSync(convertBinary(), [...seed, ...mode, path]);
  }
  return new Uint8Array(readFileSync(path));
}

/** A photo-like 8-bit PNG (RGB, or RGBA with an opaque alpha channel) made by ImageMagick: the slowest kind to inflate. */
export function pngPhoto(dir: string, width: number, height: number, rgba: boolean): Uint8Array {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `photo-${width}x${height}${rgba ? '-rgba' : ''}.png`);
  if (!existsSync(path)) {
    const type = rgba ? ['-define', 'png:color-type=6'] : [];
    execFileSync(convertBinary(), [
      '-size',
      `${width}x${height}`,
      'plasma:fractal',
      '-seed',
      '3',
      '-depth',
      '8',
      ...type,
      path,
    ]);
  }
  return new Uint8Array(readFileSync(path));
}
