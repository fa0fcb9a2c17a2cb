// Reading a model always verifies, through the shared verifier: the manifest against the pointer's sha256, every
// file against the manifest. Its failures become the registry's codes.
import { MANIFEST_FILE, manifestKey, versionFileKey } from '@resnet-edge/shared/registry/layout';
import type { Manifest, Pointer } from '@resnet-edge/shared/registry/manifest';
import {
  ModelVerifyError,
  parseManifestBytes,
  readVerifiedModel,
  type VerifiedModel,
} from '@resnet-edge/shared/registry/verify';
import { RegistryError } from './errors.ts';
import { readPointer } from './pointer.ts';
import type { ObjectStore } from './store.ts';

export interface ReadModel extends VerifiedModel {
  pointer: Pointer | null;
}

/** Reads `name` at `version`, or at the pointer's version when none is given. */
export async function readModel(store: ObjectStore, name: string, version?: string): Promise<ReadModel> {
  const current = await readPointer(store, name);
  const wanted = version ?? current?.pointer.version;
  if (!wanted) throw new RegistryError('model_not_found', `no model '${name}' in ${store.describe} (no pointer)`);
  try {
    const model = await readVerifiedModel({
      read: async (file) => (await store.get(versionFileKey(name, wanted, file)))?.bytes ?? null,
      describe: (file) => versionFileKey(name, wanted, file),
      ...(current && current.pointer.version === wanted ? { manifestSha256: current.pointer.manifestSha256 } : {}),
    });
    return { pointer: current?.pointer ?? null, ...model };
  } catch (error) {
    if (!(error instanceof ModelVerifyError)) throw error;
    if (error.kind === 'missing' && error.file === MANIFEST_FILE) {
      throw new RegistryError(
        'version_not_found',
        `${name}@${wanted} not found (${manifestKey(name, wanted)} missing in ${store.describe})`,
      );
    }
    throw new RegistryError('integrity_error', error.message);
  }
}

/** A manifest read for listing, as the registry's integrity error when it does not parse. */
export function parseManifestAt(key: string, bytes: Uint8Array): Manifest {
  try {
    return parseManifestBytes(bytes, key);
  } catch (error) {
    throw new RegistryError('integrity_error', (error as Error).message);
  }
}
