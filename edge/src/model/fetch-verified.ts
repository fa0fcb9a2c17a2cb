// Reading one version of a model from R2 and proving it is the version meant: the manifest's sha256 must match
// the pointer's, and model.tflite's sha256 and size must match the manifest. Every failure names the object key.
import { sha256Hex } from '@resnet-edge/shared/hash';
import { manifestKey, modelFileKey, pointerKey } from '@resnet-edge/shared/registry/layout';
import { manifestSchema, pointerSchema, type Manifest, type Pointer } from '@resnet-edge/shared/registry/manifest';
import { ApiError } from '../errors.ts';

async function readObject(bucket: R2Bucket, key: string): Promise<Uint8Array | null> {
  const object = await bucket.get(key);
  return object ? new Uint8Array(await object.arrayBuffer()) : null;
}

function parseJson<T>(bytes: Uint8Array, key: string, parse: (v: unknown) => T): T {
  try {
    return parse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch (error) {
    throw new ApiError(503, 'model_invalid', `${key} is not valid: ${(error as Error).message.slice(0, 300)}`);
  }
}

/** The pointer of a model, or null when no such model was ever published. */
export async function readPointer(bucket: R2Bucket, name: string): Promise<Pointer | null> {
  const key = pointerKey(name);
  const bytes = await readObject(bucket, key);
  return bytes === null ? null : parseJson(bytes, key, (v) => pointerSchema.parse(v));
}

/** A version's manifest; `expectedSha256` (from the pointer) is checked when given. */
export async function readManifest(bucket: R2Bucket, name: string, version: string, expectedSha256?: string): Promise<Manifest> {
  const key = manifestKey(name, version);
  const bytes = await readObject(bucket, key);
  if (bytes === null) throw new ApiError(503, 'model_unavailable', `${key} is missing`);
  if (expectedSha256 !== undefined) {
    const actual = await sha256Hex(bytes);
    if (actual !== expectedSha256) {
      throw new ApiError(503, 'model_integrity', `${key} has sha256 ${actual}, the pointer expects ${expectedSha256}`);
    }
  }
  const manifest = parseJson(bytes, key, (v) => manifestSchema.parse(v));
  if (manifest.name !== name || manifest.version !== version) {
    throw new ApiError(503, 'model_invalid', `${key} describes ${manifest.name}@${manifest.version}, not ${name}@${version}`);
  }
  return manifest;
}

export async function readModelFile(bucket: R2Bucket, manifest: Manifest): Promise<Uint8Array> {
  const key = modelFileKey(manifest.name, manifest.version);
  const entry = manifest.files['model.tflite'];
  if (!entry) throw new ApiError(503, 'model_invalid', `${manifestKey(manifest.name, manifest.version)} lists no model.tflite`);
  const bytes = await readObject(bucket, key);
  if (bytes === null) throw new ApiError(503, 'model_unavailable', `${key} is missing`);
  if (bytes.byteLength !== entry.size) {
    throw new ApiError(503, 'model_integrity', `${key} is ${bytes.byteLength} bytes, the manifest says ${entry.size}`);
  }
  const actual = await sha256Hex(bytes);
  if (actual !== entry.sha256) {
    throw new ApiError(503, 'model_integrity', `${key} has sha256 ${actual}, the manifest says ${entry.sha256}`);
  }
  return bytes;
}
