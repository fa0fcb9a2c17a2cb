// The Node-vs-workerd identity proof for what the fixture folder cannot hold: large images decoded at a
// reduced DCT scale, a progressive photo at 1/2 and 1/4, a 50 MP JPEG, a 12 MP streamed PNG and a 65535×1
// strip — generated at test time — plus a 3 MP lossy + alpha WebP (committed: no encoder at test time) and a
// 3 MP lossless WebP written here, preprocessed in Node and in real workerd, compared by tensor sha256.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '@resnet-edge/shared/hash';
import { preprocess } from '@resnet-edge/shared/preprocess/index';
import { jpegScaleFor } from '@resnet-edge/shared/preprocess/decode-scale';
import { preprocessSpecSchema, type PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import { flatJpeg, streamedPng, stripedLosslessWebp } from '../helpers/big-images.ts';
import { preprocessWorkerWithWasm } from './fixtures/preprocess-workerd.ts';

const spec = (resizeShorter: number, crop: number): PreprocessSpec =>
  preprocessSpecSchema.parse({
    colorMode: 'rgb',
    resizeShorter,
    resizeAlgorithm: 'bilinear',
    crop: { height: crop, width: crop },
    normalize: { kind: 'scale', scale: 2 / 255, offset: -1 },
  });

/** A photo-like 1600×1200 JPEG (gradients, a disc, noise-free so it is reproducible). */
function photo(): Uint8Array {
  const width = 1600,
    height = 1200,
    data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4,
        disc = (x - 900) ** 2 + (y - 500) ** 2 < 300 ** 2;
      data[i] = disc ? 230 : (x * 255) / width;
      data[i + 1] = disc ? 60 : (y * 255) / height;
      data[i + 2] = (x ^ y) & 0xff;
      data[i + 3] = 255;
    }
  return new Uint8Array(jpeg.encode({ data, width, height }, 88).data);
}

const worker = preprocessWorkerWithWasm();

async function expectIdentical(name: string, bytes: Uint8Array, s: PreprocessSpec): Promise<void> {
  const { tensor, shape } = preprocess(bytes, s);
  const node = await sha256Hex(new Uint8Array(tensor.buffer, tensor.byteOffset, tensor.byteLength));
  const { status, body, scans, webpFilter, pngInflate } = await worker().run(bytes, s);
  expect(status).toBe(200);
  expect([scans, webpFilter, pngInflate]).toEqual(['wasm', 'wasm', 'wasm']);
  expect({ name, ...body }).toEqual({ name, sha256: node, shape });
}

describe('large and scaled images are bit-identical in Node and workerd', () => {
  it('a 1600×1200 baseline JPEG at 1/8, 1/4 and 1/2; the progressive 256×192 fixture at 1/2 and 1/4', async () => {
    const bytes = photo();
    for (const [shorter, scale] of [
      [72, 8],
      [256, 4],
      [512, 2],
    ] as const) {
      expect(jpegScaleFor(1600, 1200, shorter, 'dct')).toBe(scale);
      await expectIdentical(`photo 1/${scale}`, bytes, spec(shorter, Math.min(shorter, 224)));
    }
    const progressive = new Uint8Array(
      readFileSync(join(import.meta.dirname, '../fixtures/images/progressive-444-restart-256x192.jpg')),
    );
    await expectIdentical('progressive 1/2', progressive, spec(72, 64));
    await expectIdentical('progressive 1/4', progressive, spec(40, 32));
  }, 60_000);

  it('a 50 MP JPEG, a 12 MP streamed PNG and a 65535×1 PNG', async () => {
    await expectIdentical('50 MP JPEG', flatJpeg(8660, 5773), spec(72, 64));
    const png = streamedPng(4000, 3000, 8, 2, (y) => {
      const row = new Uint8Array(1 + 4000 * 3);
      for (let i = 1; i < row.length; i++) row[i] = (i + y) & 0xff;
      return row;
    });
    await expectIdentical('12 MP PNG', png, spec(72, 64));
    await expectIdentical(
      '65535×1 PNG',
      streamedPng(65535, 1, 8, 0, () => new Uint8Array(65536).map((_, i) => i & 0xff)),
      spec(72, 64),
    );
  }, 60_000);

  it('a 3 MP lossy + alpha WebP (streamed by macroblock row) and a 3 MP lossless WebP', async () => {
    const lossy = new Uint8Array(readFileSync(join(import.meta.dirname, 'fixtures/webp-photo-alpha-2000x1500.webp')));
    await expectIdentical('3 MP lossy + alpha WebP', lossy, spec(72, 64));
    await expectIdentical('3 MP lossy + alpha WebP, 224', lossy, spec(256, 224));
    await expectIdentical('3 MP lossless WebP', stripedLosslessWebp(2000, 1500), spec(72, 64));
  }, 60_000);
});
