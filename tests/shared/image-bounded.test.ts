// Decoding at the size the model needs, with bounded work and memory: the DCT-scaled JPEG decoder against
// jpeg-js, the scale rule, the fused resize+crop against the stage functions, and hostile inputs (extreme
// aspect ratios, deflate bombs, palette without PLTE, huge ancillary chunks, the largest accepted image).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { classify } from '@resnet-edge/shared/classify/classify';
import { DEFAULT_MEMORY_BUDGET_BYTES, MemoryBudget } from '@resnet-edge/shared/image/budget';
import { decodeImage } from '@resnet-edge/shared/image/decode';
import { ImageError, type ImageErrorCode } from '@resnet-edge/shared/image/errors';
import { decodeJpegScaled } from '@resnet-edge/shared/image/jpeg/decode';
import { centerCrop } from '@resnet-edge/shared/preprocess/crop';
import { jpegScaleFor } from '@resnet-edge/shared/preprocess/decode-scale';
import { preprocess, preprocessImage } from '@resnet-edge/shared/preprocess/index';
import { normalizeToFloat } from '@resnet-edge/shared/preprocess/normalize';
import { resizeShorterSide } from '@resnet-edge/shared/preprocess/resize';
import { rgbToGray } from '@resnet-edge/shared/preprocess/color';
import { preprocessSpecSchema, type PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import { makeManifest } from '../edge/publish.ts';
import { tinyModel } from '../edge/tiny-model.ts';
import { deflateBombPng, flatJpeg, ihdr, pngFromChunks, streamedPng, zlibSync } from '../helpers/big-images.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/images');
const file = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));
const MB = 1024 * 1024;
/** The worker's default pixel cap (edge/src/env.ts DEFAULTS.maxPixels; that module needs the Workers types). */
const WORKER_MAX_PIXELS = 50_000_000;

const spec64: PreprocessSpec = preprocessSpecSchema.parse({
  colorMode: 'rgb',
  resizeShorter: 72,
  resizeAlgorithm: 'bilinear',
  crop: { height: 64, width: 64 },
  normalize: { kind: 'scale', scale: 2 / 255, offset: -1 },
});
const gray28: PreprocessSpec = preprocessSpecSchema.parse({
  colorMode: 'grayscale',
  resizeShorter: 28,
  resizeAlgorithm: 'bilinear',
  crop: { height: 28, width: 28 },
  normalize: { kind: 'mean_std', mean: [0.286], std: [0.353] },
});

function codeOf(run: () => unknown): ImageErrorCode | 'no error' {
  try {
    run();
    return 'no error';
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    return error.code;
  }
}

const JPEGS = [
  'color-640x427.jpg',
  'progressive-420-75x50.jpg',
  'gray-61x45.jpg',
  'progressive-444-restart-256x192.jpg',
  'baseline-422-restart-240x160.jpg',
  'progressive-gray-200x150.jpg',
  'cmyk-96x64.jpg',
];

describe('DCT-scaled JPEG decoding', () => {
  it.each(JPEGS)('%s at 1/1 matches jpeg-js within the rounding of the IDCT and upsampling', (name) => {
    const bytes = file(name);
    const ours = decodeJpegScaled(bytes, 1, new MemoryBudget(64 * MB));
    const ref = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
    expect([ours.width, ours.height]).toEqual([ref.width, ref.height]);
    let sum = 0;
    let n = 0;
    for (let p = 0; p < ours.width * ours.height; p++) {
      for (let k = 0; k < ours.channels; k++) {
        sum += Math.abs(ours.data[p * ours.channels + k]! - ref.data[p * 3 + k]!);
        n++;
      }
    }
    // jpeg-js replicates chroma like we do but rounds differently: a fraction of a level on average.
    expect(sum / n).toBeLessThan(name.startsWith('cmyk') ? 3 : 1.5);
  });

  it('at 1/8 gives each 8×8 block its mean (the DC term), and 1/2, 1/4 sizes as libjpeg: ceil(side / scale)', () => {
    const bytes = file('color-640x427.jpg');
    const ref = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
    const eighth = decodeJpegScaled(bytes, 8, new MemoryBudget(MB));
    expect([eighth.width, eighth.height]).toEqual([80, 54]);
    let sum = 0;
    for (let by = 0; by < 53; by++) {
      for (let bx = 0; bx < 80; bx++) {
        let mean = 0;
        for (let y = 0; y < 8; y++)
          for (let x = 0; x < 8; x++) mean += ref.data[((by * 8 + y) * 640 + bx * 8 + x) * 3]!;
        sum += Math.abs(mean / 64 - eighth.data[(by * 80 + bx) * 3]!);
      }
    }
    expect(sum / (53 * 80)).toBeLessThan(2);
    expect(decodeJpegScaled(bytes, 4, new MemoryBudget(MB))).toMatchObject({ width: 160, height: 107 });
    expect(decodeJpegScaled(bytes, 2, new MemoryBudget(MB))).toMatchObject({ width: 320, height: 214 });
  });

  it('applies EXIF orientation after scaling', () => {
    const image = decodeJpegScaled(file('orientation-6.jpg'), 2, new MemoryBudget(MB));
    expect([image.width, image.height]).toEqual([24, 16]); // stored 32×48 → 16×24 → turned
  });

  it('refuses truncated scans and arithmetic coding clearly', () => {
    const cut = file('truncated.jpg');
    expect(codeOf(() => decodeJpegScaled(new Uint8Array([...cut, 0xff, 0xd9]), 2, new MemoryBudget(MB)))).toBe(
      'corrupt_image',
    );
    const arithmetic = file('color-37x23.jpg').slice();
    const sof = arithmetic.findIndex((b, i) => b === 0xff && arithmetic[i + 1] === 0xc0);
    arithmetic[sof + 1] = 0xc9;
    expect(() => decodeJpegScaled(arithmetic, 2, new MemoryBudget(MB))).toThrow(/arithmetic-coded JPEG/);
  });
});

describe('the scale rule', () => {
  it('takes the largest reduction that keeps the shorter side ≥ resizeShorter', () => {
    expect(jpegScaleFor(4032, 3024, 72, 'dct')).toBe(8);
    expect(jpegScaleFor(4032, 3024, 256, 'dct')).toBe(8); // 378 ≥ 256
    expect(jpegScaleFor(1920, 1440, 256, 'dct')).toBe(4); // 360 ≥ 256, 180 < 256
    expect(jpegScaleFor(640, 427, 256, 'dct')).toBe(1);
    expect(jpegScaleFor(57, 10_000, 28, 'dct')).toBe(2); // ceil(57 / 2) = 29
    expect(jpegScaleFor(4032, 3024, 72, 'full')).toBe(1);
  });

  it('old specs without the field get the rule; a JPEG under 2 × resizeShorter decodes at full size as before', () => {
    expect(spec64.jpegScale).toBeUndefined();
    const bytes = file('color-640x427.jpg');
    const big: PreprocessSpec = { ...spec64, resizeShorter: 256, crop: { height: 224, width: 224 } };
    const before = normalizeToFloat(centerCrop(resizeShorterSide(decodeImage(bytes), 256), 224, 224), big.normalize);
    expect(preprocess(bytes, big).tensor).toEqual(before);
    expect(preprocess(bytes, { ...spec64, jpegScale: 'full' }).tensor).not.toEqual(preprocess(bytes, spec64).tensor);
  });
});

describe('resize fused with the crop', () => {
  it.each(['color-640x427.jpg', 'gray-33x21.png', 'rgba-40x30.png', 'color-37x23.jpg'])(
    '%s: equals resize then crop, bit for bit',
    (name) => {
      for (const spec of [spec64, gray28]) {
        const image = decodeImage(file(name));
        const gray = spec.colorMode === 'grayscale' ? rgbToGray(image) : image;
        const staged = centerCrop(resizeShorterSide(gray, spec.resizeShorter), spec.crop.width, spec.crop.height);
        const expected = normalizeToFloat(
          spec.colorMode === 'rgb' && staged.channels === 1
            ? { ...staged, channels: 3, data: Uint8Array.from([...staged.data].flatMap((v) => [v, v, v])) }
            : staged,
          spec.normalize,
        );
        expect(preprocessImage(image, spec)).toEqual(expected);
      }
    },
  );
});

describe('bounded work and memory for hostile inputs', () => {
  it('a 65535×1 PNG and a 65535×8 JPEG cost their crop, not a 4,194,240×64 resize', () => {
    const strip = streamedPng(65535, 1, 8, 2, () => new Uint8Array(1 + 65535 * 3).fill(90, 1));
    const png = preprocess(strip, spec64);
    expect(png.shape).toEqual([1, 64, 64, 3]);
    expect(png.peakBytes).toBeLessThan(4 * MB); // the inflater's slice output dominates
    const jpg = preprocess(flatJpeg(65535, 8), spec64);
    expect(jpg.shape).toEqual([1, 64, 64, 3]);
    expect(jpg.peakBytes).toBeLessThan(8 * MB);
  });

  it('stops inflating a deflate bomb at the bytes the header needs', () => {
    const bomb = deflateBombPng(16 * MB);
    expect(bomb.length).toBeLessThan(100_000);
    expect(codeOf(() => preprocess(bomb, spec64))).toBe('inflation_limit');
  });

  it('steps over a huge compressed iCCP chunk without inflating it', () => {
    const profile = new Uint8Array([
      ...new TextEncoder().encode('icc\0'),
      0,
      ...zlibSync(new Uint8Array(16 * MB), { level: 9 }),
    ]);
    const png = streamedPng(80, 80, 8, 0, (y) => new Uint8Array(81).fill(y, 1), [['iCCP', profile]]);
    expect(preprocess(png, gray28).peakBytes).toBeLessThan(4 * MB);
  });

  it("refuses a sequential JPEG that repeats a component's scan, before decoding it again", () => {
    const one = flatJpeg(4000, 3000);
    const sos = one.findIndex((b, i) => b === 0xff && one[i + 1] === 0xda);
    const scan = one.subarray(sos, one.length - 2);
    const twice = new Uint8Array([...one.subarray(0, sos), ...scan, ...scan, 0xff, 0xd9]);
    expect(preprocess(one, spec64).shape).toEqual([1, 64, 64, 3]);
    expect(codeOf(() => preprocess(twice, spec64))).toBe('corrupt_image');
    expect(() => preprocess(twice, spec64)).toThrow(/component 1 appears in a second sequential scan/);
  });

  it('refuses a PNG over maxPngBytes from its header, and only when the caller sets a limit', () => {
    // 3464×3464 16-bit RGBA: 3464 × (1 + 3464 × 8) = 96,000,760 bytes of image data; only IHDR is read.
    const header = pngFromChunks([
      ['IHDR', ihdr(3464, 3464, 16, 6)],
      ['IDAT', zlibSync(new Uint8Array(16))],
      ['IEND', new Uint8Array(0)],
    ]);
    expect(codeOf(() => preprocess(header, spec64, { maxPngBytes: 16 * MB }))).toBe('png_too_large');
    expect(() => preprocess(header, spec64, { maxPngBytes: 16 * MB })).toThrow(
      'PNG image data is 91.6 MB once inflated (3464×3464, 16-bit), more than the 16.0 MB this service decodes',
    );
    expect(codeOf(() => preprocess(header, spec64))).toBe('corrupt_image'); // no limit: decoded, and truncated
    const exactly = streamedPng(100, 10, 8, 0, () => new Uint8Array(101)); // 10 × 101 bytes
    expect(preprocess(exactly, gray28, { maxPngBytes: 1010 }).shape).toEqual([1, 28, 28, 1]);
    expect(codeOf(() => preprocess(exactly, gray28, { maxPngBytes: 1009 }))).toBe('png_too_large');
  });

  it('refuses a palette PNG without PLTE', () => {
    const png = pngFromChunks([
      ['IHDR', ihdr(4, 4, 8, 3)],
      ['IDAT', zlibSync(new Uint8Array(4 * 5))],
      ['IEND', new Uint8Array(0)],
    ]);
    expect(codeOf(() => preprocess(png, gray28))).toBe('missing_palette');
  });

  it('decodes the largest accepted images (50 MP JPEG and PNG) within 48 MB, and the budget is enforced', () => {
    const photo = flatJpeg(8660, 5773); // 49.99 MP
    const jpg = preprocess(photo, spec64);
    expect(jpg.shape).toEqual([1, 64, 64, 3]);
    expect(jpg.peakBytes).toBeLessThanOrEqual(48 * MB);
    const png = streamedPng(8660, 5773, 8, 2, () => new Uint8Array(1 + 8660 * 3));
    const decoded = preprocess(png, spec64);
    expect(decoded.peakBytes).toBeLessThanOrEqual(48 * MB);
    expect(codeOf(() => preprocess(photo, spec64, { budget: new MemoryBudget(256 * 1024) }))).toBe(
      'over_memory_budget',
    );
    expect(codeOf(() => preprocess(photo, { ...spec64, jpegScale: 'full' }))).toBe('over_memory_budget');
    expect(codeOf(() => preprocess(flatJpeg(8672, 5776), spec64))).toBe('too_many_pixels');
  });

  it("the worker's path (classify() with its pixel cap and budget) answers a 50 MP photo within 48 MB", async () => {
    const model = tinyModel(1);
    const { manifest } = await makeManifest('fashion-mnist', '1.0.0', model);
    const worker = {
      manifest: { ...manifest, preprocess: { ...manifest.preprocess, maxPixels: 50_000_000 } },
      interpreter: Interpreter.create(model),
    };
    for (const photo of [flatJpeg(8660, 5773), flatJpeg(5773, 8660)]) {
      const answer = classify(photo, worker, 3, { maxPixels: WORKER_MAX_PIXELS });
      expect(answer.predictions).toHaveLength(3);
      expect(answer.memory.peak_bytes).toBeGreaterThan(0);
      expect(answer.memory.peak_bytes).toBeLessThanOrEqual(48 * MB);
      expect(answer.memory.peak_bytes).toBeLessThanOrEqual(DEFAULT_MEMORY_BUDGET_BYTES);
    }
  });

  it('names HEIC/AVIF in the refusal and lists what is accepted', () => {
    const heic = new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypheic'), 0, 0, 0, 0]);
    expect(() => preprocess(heic, spec64)).toThrow(/HEIC images are not supported; send JPEG .*, PNG or WebP/);
    const avif = new Uint8Array([0, 0, 0, 24, ...new TextEncoder().encode('ftypavif'), 0, 0, 0, 0]);
    expect(codeOf(() => preprocess(avif, spec64))).toBe('unsupported_format');
  });
});
