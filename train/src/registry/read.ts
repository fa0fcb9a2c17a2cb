// Reading a model always verifies: the manifest against the pointer's sha256, every file against the manifest.
import { manifestKey, versionFileKey } from '@resnet-edge/shared/registry/layout';
import { manifestSchema, type Manifest, type Pointer } from '@resnet-edge/shared/registry/manifest';
import { sha256Hex } from '@resnet-edge/shared/hash';
import { RegistryError } from './errors.ts';
import { readPointer } from './pointer.ts';
import type { ObjectStore } from './store.ts';

export interface ReadModel {
  pointer: Pointer | null;
  manifest: Manifest;
  manifestBytes: Uint8Array;
  files: Record<string, Uint8Array>;
  /** files['model.tflite'], verified like every other file. */
  modelBytes: Uint8Array;
}

/** Reads `name` at `version`, or at the pointer's version when none is given. */
export async function readModel(store: ObjectStore, name: string, version?: string): Promise<ReadModel> {
  const current = await readPointer(store, name);
  const wanted = version ?? current?.pointer.version;
  if (!wanted) throw new RegistryError('model_not_found', `no model '${name}' in ${store.describe} (no pointer)`);
  const key = manifestKey(name, wanted);
  const obj = await store.get(key);
  if (!obj) throw new RegistryError('version_not_found', `${name}@${wanted} not found (${key} missing in ${store.describe})`);
  if (current && current.pointer.version === wanted) {
    const sha = await sha256Hex(obj.bytes);
    if (sha !== current.pointer.manifestSha256) {
      throw new RegistryError('integrity_error', `${key}: sha256 ${sha} does not match the pointer's ${current.pointer.manifestSha256}`);
    }
  }
  const manifest = parseManifestAt(key, obj.bytes);
  const files: Record<string, Uint8Array> = {};
  for (const [file, entry] of Object.entries(manifest.files)) {
    const fileKey = versionFileKey(name, wanted, file);
    const got = await store.get(fileKey);
    if (!got) throw new RegistryError('integrity_error', `${fileKey} is listed in the manifest but missing`);
    const sha = await sha256Hex(got.bytes);
    if (got.bytes.byteLength !== entry.size || sha !== entry.sha256) {
      throw new RegistryError(
        'integrity_error',
        `${fileKey}: ${got.bytes.byteLength} bytes sha256 ${sha}, manifest says ${entry.size} bytes sha256 ${entry.sha256}`,
      );
    }
    files[file] = got.bytes;
  }
  const modelBytes = files['model.tflite'];
  if (!modelBytes) throw new RegistryError('integrity_error', `${key} lists no model.tflite`);
  return { pointer: current?.pointer ?? null, manifest, manifestBytes: obj.bytes, files, modelBytes };
}

export function parseManifestAt(key: string, bytes: Uint8Array): Manifest {
  try {
    return manifestSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch (err) {
    throw new RegistryError('integrity_error', `${key} is not a valid manifest: ${(err as Error).message.slice(0, 300)}`);
  }
}
