// Writes a model version into the worker's R2 the way the registry lays it out (shared/src/registry/layout.ts):
// model.tflite and manifest.json under models/<name>/<version>/, then the pointer models/<name>/current.json
// with the manifest's real sha256. Tests corrupt objects afterwards to check the worker's verification.
import { sha256Hex } from '@resnet-edge/shared/hash';
import { manifestKey, modelFileKey, pointerKey } from '@resnet-edge/shared/registry/layout';
import { manifestSchema, type Manifest, type Pointer } from '@resnet-edge/shared/registry/manifest';
import type { TestWorker } from './worker.ts';
import { FASHION_TEST_SPEC } from '../helpers/fashion-spec.ts';

export const FASHION_LABELS = [
  't_shirt_top',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'ankle_boot',
];

export interface Published {
  manifest: Manifest;
  manifestBytes: Uint8Array;
  manifestSha256: string;
}

export async function makeManifest(
  name: string,
  version: string,
  model: Uint8Array,
  labels = FASHION_LABELS,
): Promise<Published> {
  const manifest = manifestSchema.parse({
    schemaVersion: 1,
    name,
    version,
    arch: 'test-tiny',
    labels,
    preprocess: FASHION_TEST_SPEC,
    inputShape: [1, 28, 28, 1],
    outputActivation: 'softmax',
    accuracy: { float: { top1: 0.5, samples: 10 } },
    files: { 'model.tflite': { sha256: await sha256Hex(model), size: model.byteLength } },
    training: { dataFingerprint: 'test' },
    createdAt: new Date().toISOString(),
  });
  const manifestBytes = new TextEncoder().encode(JSON.stringify(manifest, null, 2));
  return { manifest, manifestBytes, manifestSha256: await sha256Hex(manifestBytes) };
}

export async function putVersion(
  worker: TestWorker,
  name: string,
  version: string,
  model: Uint8Array,
): Promise<Published> {
  const published = await makeManifest(name, version, model);
  await worker.put(modelFileKey(name, version), model);
  await worker.put(manifestKey(name, version), published.manifestBytes);
  return published;
}

export async function movePointer(
  worker: TestWorker,
  published: Published,
  previousVersion: string | null = null,
): Promise<void> {
  const pointer: Pointer = {
    name: published.manifest.name,
    version: published.manifest.version,
    manifestSha256: published.manifestSha256,
    previousVersion,
    movedBy: 'tests/edge',
    movedAt: new Date().toISOString(),
    reason: 'publish',
  };
  await worker.put(pointerKey(published.manifest.name), JSON.stringify(pointer));
}

export async function publish(
  worker: TestWorker,
  name: string,
  version: string,
  model: Uint8Array,
  previousVersion: string | null = null,
) {
  const published = await putVersion(worker, name, version, model);
  await movePointer(worker, published, previousVersion);
  return published;
}
