// Each preprocessing stage on tiny images whose results are worked out by hand in the comments,
// then the whole pipeline on real files.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '@resnet-edge/shared/image/decode';
import type { RawImage } from '@resnet-edge/shared/image/types';
import { grayToRgb, rgbToGray } from '@resnet-edge/shared/preprocess/color';
import { centerCrop } from '@resnet-edge/shared/preprocess/crop';
import { PreprocessSpecError, preprocess, preprocessImage } from '@resnet-edge/shared/preprocess/index';
import { normalizeToFloat } from '@resnet-edge/shared/preprocess/normalize';
import { resizeBilinear, resizedSize, resizeShorterSide } from '@resnet-edge/shared/preprocess/resize';
import { preprocessSpecSchema, type PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';

const gray = (width: number, height: number, values: number[]): RawImage => ({
  width,
  height,
  channels: 1,
  data: new Uint8Array(values),
});
const rows = (image: RawImage): number[][] =>
  Array.from({ length: image.height }, (_, y) => [
    ...image.data.subarray(y * image.width * image.channels, (y + 1) * image.width * image.channels),
  ]);

const fashionSpec = (): PreprocessSpec =>
  preprocessSpecSchema.parse(
    JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/examples/fashion-mnist.spec.json'), 'utf8')),
  );

describe('color', () => {
  it('collapses RGB with integer BT.601 luma, floor((299R + 587G + 114B + 500) / 1000)', () => {
    const rgb: RawImage = {
      width: 4,
      height: 1,
      channels: 3,
      data: new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255]),
    };
    // 76745/1000 → 76; 150185/1000 → 150; 29570/1000 → 29; 255500/1000 → 255
    expect([...rgbToGray(rgb).data]).toEqual([76, 150, 29, 255]);
  });

  it('expands gray by replicating it', () => {
    expect([...grayToRgb(gray(2, 1, [7, 200])).data]).toEqual([7, 7, 7, 200, 200, 200]);
  });
});

describe('resize', () => {
  it('sizes the shorter side and rounds the other', () => {
    expect(resizedSize(640, 427, 256)).toEqual({ width: 384, height: 256 }); // 383.7 → 384
    expect(resizedSize(37, 23, 28)).toEqual({ width: 45, height: 28 }); // 45.04 → 45
    expect(resizedSize(23, 37, 28)).toEqual({ width: 28, height: 45 });
    expect(resizedSize(1000, 1, 1)).toEqual({ width: 1000, height: 1 });
    expect(resizedSize(1, 1000, 500)).toEqual({ width: 500, height: 500_000 });
  });

  it('interpolates with half-pixel centres', () => {
    // 2 → 4: src x = d/2 − 0.25 → 0 (clamped), 0.25, 0.75, 1.25 → 1 (clamped).
    // Row 0 (src y = 0): 0, 25, 75, 100. Row 1 (src y = 0.25): 0.75·row0 + 0.25·(100, 125, 175, 200).
    const out = resizeBilinear(gray(2, 2, [0, 100, 100, 200]), 4, 4);
    expect(rows(out)).toEqual([
      [0, 25, 75, 100],
      [25, 50, 100, 125],
      [75, 100, 150, 175],
      [100, 125, 175, 200],
    ]);
  });

  it('rounds half up, not to even', () => {
    // 2 → 3: the middle sample sits at src x = 1.5·2/3 − 0.5 = 0.5 exactly.
    expect([...resizeBilinear(gray(2, 1, [0, 1]), 3, 1).data]).toEqual([0, 1, 1]);
    expect([...resizeBilinear(gray(2, 1, [1, 2]), 3, 1).data]).toEqual([1, 2, 2]);
    expect([...resizeBilinear(gray(2, 1, [2, 3]), 3, 1).data]).toEqual([2, 3, 3]);
  });

  it('averages neighbours when shrinking by two', () => {
    // 4 → 2: src x = 2d + 0.5, halfway between pairs.
    expect([...resizeBilinear(gray(4, 1, [10, 20, 30, 41]), 2, 1).data]).toEqual([15, 36]); // 35.5 → 36
  });

  it('keeps the image when the size already matches', () => {
    const image = gray(3, 3, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(resizeShorterSide(image, 3)).toBe(image);
  });
});

describe('centre crop', () => {
  it('offsets by floor((in − out) / 2)', () => {
    // 5×4 → 2×2: left floor(3/2) = 1, top floor(2/2) = 1.
    const image = gray(
      5,
      4,
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(rows(centerCrop(image, 2, 2))).toEqual([
      [6, 7],
      [11, 12],
    ]);
    expect(rows(centerCrop(image, 5, 1))).toEqual([[5, 6, 7, 8, 9]]); // top floor((4 − 1)/2) = 1: the second row
  });
});

describe('normalize', () => {
  it('mean_std: (p/255 − mean[c]) / std[c], broadcast when length 1', () => {
    const out = normalizeToFloat(gray(3, 1, [0, 51, 255]), { kind: 'mean_std', mean: [0.5], std: [0.5] });
    expect([...out]).toEqual([-1, Math.fround(-0.6), 1]);
    const rgb: RawImage = { width: 1, height: 1, channels: 3, data: new Uint8Array([255, 0, 51]) };
    const perChannel = normalizeToFloat(rgb, { kind: 'mean_std', mean: [0, 0.5, 0.2], std: [1, 0.5, 0.1] });
    expect([...perChannel]).toEqual([1, -1, Math.fround((51 / 255 - 0.2) / 0.1)]);
  });

  it('scale: p · scale + offset ([-1, 1])', () => {
    const out = normalizeToFloat(gray(3, 1, [0, 128, 255]), { kind: 'scale', scale: 2 / 255, offset: -1 });
    expect([...out]).toEqual([-1, Math.fround(128 * (2 / 255) - 1), 1]);
  });
});

describe('spec checks', () => {
  const base = {
    colorMode: 'rgb',
    resizeShorter: 32,
    resizeAlgorithm: 'bilinear',
    crop: { height: 32, width: 32 },
    normalize: { kind: 'scale', scale: 1, offset: 0 },
  };

  it('refuses a crop larger than the resized image, naming the field', () => {
    const result = preprocessSpecSchema.safeParse({ ...base, resizeShorter: 28 });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['resizeShorter']);
    expect(result.error?.issues[0]?.message).toMatch(/resizeShorter 28 is smaller than the crop \(32×32\)/);
  });

  it('refuses mean/std lengths that fit neither one nor every channel', () => {
    const result = preprocessSpecSchema.safeParse({
      ...base,
      normalize: { kind: 'mean_std', mean: [0.1, 0.2], std: [0.3] },
    });
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['normalize.mean']);
  });

  it('applies the default pixel limit', () => {
    expect(preprocessSpecSchema.parse(base).maxPixels).toBe(50_000_000);
  });

  it('checks specs built in code too', () => {
    const spec = { ...preprocessSpecSchema.parse(base), resizeShorter: 8 };
    try {
      preprocessImage(gray(8, 8, new Array(64).fill(0)), spec);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(PreprocessSpecError);
      expect((error as PreprocessSpecError).code).toBe('invalid_spec');
    }
  });
});

describe('preprocess on real files', () => {
  const bundled = join(import.meta.dirname, '../../data/fashion-mnist-mini/test');
  const firstClass = readdirSync(bundled).sort()[0]!;
  const png = join(bundled, firstClass, readdirSync(join(bundled, firstClass)).sort()[0]!);

  it('a 28×28 Fashion-MNIST PNG is only normalised by the 28 recipe', () => {
    const bytes = new Uint8Array(readFileSync(png));
    const raw = decodeImage(bytes);
    expect([raw.width, raw.height, raw.channels]).toEqual([28, 28, 1]);
    const { tensor, shape, timing } = preprocess(bytes, fashionSpec());
    expect(shape).toEqual([1, 28, 28, 1]);
    expect(tensor).toBeInstanceOf(Float32Array);
    expect([...tensor]).toEqual([...raw.data].map((p) => Math.fround((p / 255 - 0.286) / 0.353)));
    expect(timing.decodeMs).toBeGreaterThanOrEqual(0);
    expect(timing.preprocessMs).toBeGreaterThanOrEqual(0);
  });

  it('a photo-sized JPEG → 224×224×3 tensor; a gray image → three equal channels', () => {
    const spec = preprocessSpecSchema.parse(
      JSON.parse(readFileSync(join(import.meta.dirname, '../../docs/examples/imagenet.spec.json'), 'utf8')),
    );
    const photo = preprocess(
      new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/images/color-640x427.jpg'))),
      spec,
    );
    expect(photo.shape).toEqual([1, 224, 224, 3]);
    expect(photo.tensor.length).toBe(224 * 224 * 3);
    const grayPhoto = preprocessImage(gray(2, 2, [0, 50, 100, 150]), {
      ...spec,
      resizeShorter: 2,
      crop: { height: 2, width: 2 },
      normalize: { kind: 'scale', scale: 1, offset: 0 },
    });
    expect([...grayPhoto]).toEqual([0, 0, 0, 50, 50, 50, 100, 100, 100, 150, 150, 150]);
  });

  it('uses the spec’s pixel limit', () => {
    const bytes = new Uint8Array(readFileSync(png));
    expect(() => preprocess(bytes, { ...fashionSpec(), maxPixels: 783 })).toThrow(
      expect.objectContaining({ code: 'too_many_pixels' }),
    );
    expect(preprocess(bytes, { ...fashionSpec(), maxPixels: 784 }).shape).toEqual([1, 28, 28, 1]);
  });
});
