// The proof that the trainer and the worker see the same numbers: every image fixture, through three
// recipes, preprocessed in Node and inside real workerd (Miniflare), must give bit-identical Float32Arrays.
// Compared by sha256 of the tensor bytes; a one-ulp difference anywhere changes the hash.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '@resnet-edge/shared/hash';
import { preprocess } from '@resnet-edge/shared/preprocess/index';
import { preprocessSpecSchema, type PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import { startPreprocessWorker, type PreprocessWorker } from './fixtures/preprocess-workerd.ts';

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

let worker: PreprocessWorker;

beforeAll(async () => {
  worker = await startPreprocessWorker();
}, 60_000);

afterAll(async () => {
  await worker?.dispose();
});

async function inWorkerd(bytes: Uint8Array, spec: PreprocessSpec): Promise<{ sha256: string; shape: number[] }> {
  const { status, body } = await worker.run(bytes, spec);
  expect(status).toBe(200);
  return body as { sha256: string; shape: number[] };
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
  });

  for (const [specName, spec] of Object.entries(specs)) {
    it(`${specName}: ${images.length} images`, async () => {
      for (const name of images) {
        const bytes = new Uint8Array(readFileSync(join(FIXTURES, name)));
        const { tensor, shape } = preprocess(bytes, spec);
        const node = await sha256Hex(new Uint8Array(tensor.buffer, tensor.byteOffset, tensor.byteLength));
        const worker = await inWorkerd(bytes, spec);
        expect({ name, sha256: worker.sha256, shape: worker.shape }).toEqual({ name, sha256: node, shape });
      }
    }, 60_000);
  }

  it('refuses a broken image with the same code in workerd', async () => {
    const { status, body } = await worker.run(readFileSync(join(FIXTURES, 'truncated.jpg')), specs['grayscale 28']!);
    expect(status).toBe(422);
    expect(body).toEqual({ error: 'corrupt_image' });
  });
});
