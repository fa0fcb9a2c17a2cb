// A model folder on disk (what `resnet-edge quantize` writes), read through the shared verifier exactly as a
// stored version is. Failures stay ModelVerifyErrors: publish and classify each name them in their own codes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readVerifiedModel, type VerifiedModel } from '@resnet-edge/shared/registry/verify';

async function readOrNull(path: string): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
      return null;
    throw error;
  }
}

/** `only` as in readVerifiedModel: which listed files besides model.tflite to read (default all). */
export function readModelDir(dir: string, only?: readonly string[]): Promise<VerifiedModel> {
  return readVerifiedModel({
    read: (file) => readOrNull(join(dir, file)),
    describe: (file) => join(dir, file),
    ...(only ? { only } : {}),
  });
}
