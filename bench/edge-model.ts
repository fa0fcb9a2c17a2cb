// The edge benchmarks' model and request: a ResNet-20 int8 32×32×3 (random weights: latency does not depend on
// them) published as `bench@1.0.0` into a local R2 folder, and a 512×384 photo-like JPEG.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import jpeg from 'jpeg-js';
import { sha256Hex } from '@resnet-edge/shared/hash';
import { manifestSchema, type Manifest } from '@resnet-edge/shared/registry/manifest';
import { writeTflite } from '@resnet-edge/shared/tflite/writer';
import { publishModel } from '@resnet-edge/registry/publish';
import { R2LocalStore } from '@resnet-edge/registry/r2-local-store';
import { initBackend } from '../train/src/backends/index.ts';
import { buildModel } from '../train/src/models/index.ts';
import { quantizeModel } from '../train/src/quantize/quantize-model.ts';
import { FASHION_MNIST_LABELS } from '../train/src/data/presets.ts';

export const BENCH_MODEL = 'bench';

/** A 512×384 photo-like JPEG (gradients and a disc, quality 90). */
export function testJpeg(): Uint8Array {
  const width = 512,
    height = 384,
    data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4,
        inDisc = (x - 300) ** 2 + (y - 180) ** 2 < 90 ** 2;
      data[i] = inDisc ? 230 : (x * 255) / width;
      data[i + 1] = inDisc ? 190 : (y * 255) / height;
      data[i + 2] = inDisc ? 40 : 128;
      data[i + 3] = 255;
    }
  return new Uint8Array(jpeg.encode({ data, width, height }, 90).data);
}

export interface BenchModel {
  tflite: Uint8Array;
  manifest: Manifest;
}

/**
 * Quantizes a fresh ResNet-20 and publishes it as the current version of `bench` into the R2 folder `persistTo`;
 * `maxPixels` is its manifest's pixel cap (the worker applies the lower of it and its own MAX_PIXELS).
 */
export async function publishResnet20(persistTo: string, maxPixels = 40_000_000): Promise<BenchModel> {
  await initBackend('wasm');
  const model = buildModel('resnet20', { inputShape: [32, 32, 3], numClasses: 10 });
  const calib = tf.randomUniform([4, 32, 32, 3], -1, 1) as tf.Tensor4D;
  const tflite = writeTflite(quantizeModel(model, calib, { calibration: { method: 'minmax' } }).graph);
  const dir = mkdtempSync(join(tmpdir(), 'bench-edge-model-'));
  writeFileSync(join(dir, 'model.tflite'), tflite);
  const manifest = manifestSchema.parse({
    schemaVersion: 1,
    name: BENCH_MODEL,
    version: '1.0.0',
    arch: 'resnet20',
    labels: [...FASHION_MNIST_LABELS],
    preprocess: {
      colorMode: 'rgb',
      resizeShorter: 32,
      resizeAlgorithm: 'bilinear',
      crop: { height: 32, width: 32 },
      normalize: { kind: 'scale', scale: 2 / 255, offset: -1 },
      maxPixels,
    },
    inputShape: [1, 32, 32, 3],
    outputActivation: 'softmax',
    accuracy: { float: { top1: 0.1, samples: 0 } },
    files: { 'model.tflite': { sha256: await sha256Hex(tflite), size: tflite.byteLength } },
    training: { dataFingerprint: 'bench (random weights)' },
    createdAt: new Date().toISOString(),
  });
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  const store = new R2LocalStore(persistTo);
  await publishModel(store, dir, { by: 'bench' });
  await store.close();
  return { tflite, manifest };
}
