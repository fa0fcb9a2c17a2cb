// The proof that the trainer and the worker see the same numbers: every image fixture, through three
// recipes, preprocessed in Node and inside real workerd (Miniflare), must give bit-identical Float32Arrays.
// Compared by sha256 of the tensor bytes; a one-ulp difference anywhere changes the hash.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '@resnet-edge/shared/hash';
import { ImageError } from '@resnet-edge/shared/image/errors';
import { preprocess } from '@resnet-edge/shared/preprocess/index';
import { preprocessSpecSchema, type PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import { preprocessWorkerWithWasm, type PreprocessAnswer } from './fixtures/preprocess-workerd.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/images');
const DECODABLE = /\.(jpg|png|webp)$/;
const BROKEN = /^(truncated|empty|not-an-image|huge-header)/;
const images = readdirSync(FIXTURES)
  .filter((f) => DECODABLE.test(f) && !BROKEN.test(f))
  .sort();

const specs: Record<string, PreprocessSpec> = {
  'rgb mean/std 224': preprocessSpecSchema.parse({
    colorMode: 'rgb',
    resizeShorter: 256,
    resizeAlgorithm: 'bilinear',
    crop: { height: 224, width: 224 },
    normalize: { kind: 'mean_std', mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  }),
  'grayscale 28': preprocessSpecSchema.parse({
    colorMode: 'grayscale',
    resizeShorter: 28,
    resizeAlgorithm: 'bilinear',
    crop: { height: 28, width: 28 },
    normalize: { kind: 'mean_std', mean: [0.286], std: [0.353] },
  }),
  '[-1,1] scale 64': preprocessSpecSchema.parse({
    colorMode: 'rgb',
    resizeShorter: 72,
    resizeAlgorithm: 'bilinear',
    crop: { height: 64, width: 64 },
    normalize: { kind: 'scale', scale: 2 / 255, offset: -1 },
  }),
};

const worker = preprocessWorkerWithWasm();

/** The tensor's sha256 and shape, or the error code: what Node and workerd must agree on. */
async function inNode(bytes: Uint8Array, spec: PreprocessSpec): Promise<PreprocessAnswer> {
  try {
    const { tensor, shape } = preprocess(bytes, spec);
    return { sha256: await sha256Hex(new Uint8Array(tensor.buffer, tensor.byteOffset, tensor.byteLength)), shape };
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    return { error: error.code };
  }
}

async function inWorkerd(bytes: Uint8Array, spec: PreprocessSpec): Promise<PreprocessAnswer> {
  const { body, scans, webpFilter, pngInflate } = await worker().run(bytes, spec);
  expect([scans, webpFilter, pngInflate]).toEqual(['wasm', 'wasm', 'wasm']);
  return body;
}

describe('preprocessing is bit-identical in Node and in workerd', () => {
  it('covers JPEG, PNG and WebP (lossy, lossy + alpha, lossless), colour and grayscale, odd sizes', () => {
    expect(images.some((f) => f.endsWith('.jpg'))).toBe(true);
    expect(images.some((f) => f.endsWith('.png'))).toBe(true);
    expect(images).toContain('webp-lossy-37x23.webp');
    expect(images).toContain('webp-lossy-alpha-40x30.webp');
    expect(images).toContain('webp-lossless-subtract-green-64x40.webp');
    expect(images).toContain('gray-61x45.jpg');
    expect(images).toContain('gray-33x21.png');
    expect(images).toContain('color-37x23.jpg');
    expect(images).toContain('progressive-420-75x50.jpg');
    expect(images).toContain('baseline-420-restart-173x91.jpg');
    expect(images).toContain('progressive-420-restart-150x100.jpg');
  });

  for (const [specName, spec] of Object.entries(specs)) {
    it(`${specName}: ${images.length} images`, async () => {
      for (const name of images) {
        const bytes = new Uint8Array(readFileSync(join(FIXTURES, name)));
        const node = await inNode(bytes, spec);
        // Every fixture is a valid image (jpeg-js, which decoded full-size JPEGs before, refused two restart files).
        expect({ name, error: 'error' in node ? node.error : null }).toEqual({ name, error: null });
        expect({ name, ...(await inWorkerd(bytes, spec)) }).toEqual({ name, ...node });
      }
    }, 60_000);
  }

  it('refuses a broken image with the same code in workerd', async () => {
    const { status, body } = await worker().run(readFileSync(join(FIXTURES, 'truncated.jpg')), specs['grayscale 28']!);
    expect(status).toBe(422);
    expect(body).toEqual({ error: 'corrupt_image' });
  });
});
