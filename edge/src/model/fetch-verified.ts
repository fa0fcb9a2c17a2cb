// Reading one version of a model from R2 through the shared verifier (manifest against the pointer's sha256,
// model.tflite against the manifest), with its failures as the worker's 503 codes. Every message names the key.
import { versionFileKey, pointerKey } from '@resnet-edge/shared/registry/layout';
import { pointerSchema, type Manifest, type Pointer } from '@resnet-edge/shared/registry/manifest';
import {
  ModelVerifyError,
  readVerifiedManifest,
  readVerifiedModel,
  type VerifiedModel,
  type VerifyFailure,
} from '@resnet-edge/shared/registry/verify';
import { ApiError, type ErrorCode } from '../errors.ts';

async function readObject(bucket: R2Bucket, key: string): Promise<Uint8Array | null> {
  const object = await bucket.get(key);
  return object ? new Uint8Array(await object.arrayBuffer()) : null;
}

/** The pointer of a model, or null when no such model was ever published. */
export async function readPointer(bucket: R2Bucket, name: string): Promise<Pointer | null> {
  const key = pointerKey(name);
  const bytes = await readObject(bucket, key);
  if (bytes === null) return null;
  try {
    return pointerSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch (error) {
    throw new ApiError(503, 'model_invalid', `${key} is not valid: ${(error as Error).message.slice(0, 300)}`);
  }
}

const CODES: Record<VerifyFailure, ErrorCode> = {
  missing: 'model_unavailable',
  invalid: 'model_invalid',
  integrity: 'model_integrity',
};

function asApiError(error: unknown): unknown {
  return error instanceof ModelVerifyError ? new ApiError(503, CODES[error.kind], error.message) : error;
}

function source(bucket: R2Bucket, name: string, version: string, manifestSha256?: string) {
  return {
    read: (file: string) => readObject(bucket, versionFileKey(name, version, file)),
    describe: (file: string) => versionFileKey(name, version, file),
    expect: { name, version },
    ...(manifestSha256 !== undefined ? { manifestSha256 } : {}),
  };
}

/** A version's manifest; `manifestSha256` (from the pointer) is checked when given. */
export async function readManifest(
  bucket: R2Bucket,
  name: string,
  version: string,
  manifestSha256?: string,
): Promise<Manifest> {
  return (
    await readVerifiedManifest(source(bucket, name, version, manifestSha256)).catch((e: unknown) =>
      Promise.reject(asApiError(e)),
    )
  ).manifest;
}

/** The manifest and model.tflite only: other files of the version (report, float weights) stay in the bucket. */
export function readServableModel(
  bucket: R2Bucket,
  name: string,
  version: string,
  manifestSha256?: string,
): Promise<VerifiedModel> {
  return readVerifiedModel({ ...source(bucket, name, version, manifestSha256), only: [] }).catch((e: unknown) =>
    Promise.reject(asApiError(e)),
  );
}
