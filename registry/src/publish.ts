// Publishing a version: upload every file create-only, manifest last, read each back and verify it, and only
// then move the pointer. A publish that dies anywhere before the pointer write leaves the pointer (and so
// what the worker serves) on the previous version; a half-uploaded version is never pointed at.
import {
  assertModelName,
  assertVersion,
  MANIFEST_FILE,
  MODEL_FILE,
  REPORT_FILE,
  versionFileKey,
} from '@resnet-edge/shared/registry/layout';
import type { Manifest, Pointer } from '@resnet-edge/shared/registry/manifest';
import { ModelVerifyError, type VerifiedModel } from '@resnet-edge/shared/registry/verify';
import { sha256Hex } from '@resnet-edge/shared/hash';
import { readModelDir } from './model-dir.ts';
import { RegistryError } from './errors.ts';
import { movePointer, readPointer } from './pointer.ts';
import type { ObjectStore } from './store.ts';

export interface PublishOptions {
  by: string;
  /** Publish under this name instead of the manifest's (the manifest is rewritten to match its key). */
  name?: string;
  /** Publish as this version instead of the manifest's (same rewrite). */
  version?: string;
  /** Move the pointer to the new version (default). False publishes it for a later `promote`. */
  promote?: boolean;
  /** Test hook: runs after every file is uploaded and verified, just before the pointer moves. */
  beforePointerMove?: () => Promise<void> | void;
}

export interface PublishResult {
  name: string;
  version: string;
  files: { key: string; size: number; sha256: string }[];
  promoted: boolean;
  pointer: Pointer | null;
}

const CONTENT_TYPES: Record<string, string> = {
  [MANIFEST_FILE]: 'application/json',
  [MODEL_FILE]: 'application/octet-stream',
  [REPORT_FILE]: 'text/html; charset=utf-8',
};

export async function publishModel(store: ObjectStore, dir: string, options: PublishOptions): Promise<PublishResult> {
  const fromDir = await readPublishableDir(dir);
  const { manifest, manifestBytes } = renameManifest(fromDir, options);
  const { files } = fromDir;
  const name = assertModelName(manifest.name);
  const version = assertVersion(manifest.version);
  // Read the pointer before uploading: the move below is conditional on it not changing meanwhile.
  const before = await readPointer(store, name);

  const uploaded: PublishResult['files'] = [];
  const upload = async (file: string, bytes: Uint8Array) => {
    const key = versionFileKey(name, version, file);
    try {
      await store.put(key, bytes, { ifNoneMatch: '*', contentType: CONTENT_TYPES[file] ?? 'application/octet-stream' });
    } catch (err) {
      if (err instanceof RegistryError && err.code === 'precondition_failed') {
        throw new RegistryError(
          'version_exists',
          `${name}@${version} already exists (${key}); versions are immutable: publish a new version`,
        );
      }
      throw err;
    }
    const back = await store.get(key);
    const sha = back ? await sha256Hex(back.bytes) : '';
    const expected = await sha256Hex(bytes);
    if (!back || back.bytes.byteLength !== bytes.byteLength || sha !== expected) {
      throw new RegistryError(
        'integrity_error',
        `${key} did not read back as written (${back?.bytes.byteLength ?? 0} of ${bytes.byteLength} bytes)`,
      );
    }
    uploaded.push({ key, size: bytes.byteLength, sha256: sha });
  };
  for (const [file, bytes] of Object.entries(files)) await upload(file, bytes);
  await upload(MANIFEST_FILE, manifestBytes);

  if (options.promote === false)
    return { name, version, files: uploaded, promoted: false, pointer: before?.pointer ?? null };
  await options.beforePointerMove?.();
  const pointer = await movePointer(store, { name, version, reason: 'publish', by: options.by, expected: before });
  return { name, version, files: uploaded, promoted: true, pointer };
}

/** A stored manifest always names its own key's name and version, so an override rewrites the manifest. */
function renameManifest(
  fromDir: { manifest: Manifest; manifestBytes: Uint8Array },
  options: Pick<PublishOptions, 'name' | 'version'>,
): { manifest: Manifest; manifestBytes: Uint8Array } {
  const name = options.name ?? fromDir.manifest.name;
  const version = options.version ?? fromDir.manifest.version;
  if (name === fromDir.manifest.name && version === fromDir.manifest.version) return fromDir;
  const manifest: Manifest = { ...fromDir.manifest, name: assertModelName(name), version: assertVersion(version) };
  return { manifest, manifestBytes: new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`) };
}

/** The folder as publish sees it: a missing or malformed one is `invalid_model_dir`, altered bytes `integrity_error`. */
async function readPublishableDir(dir: string): Promise<VerifiedModel> {
  try {
    return await readModelDir(dir);
  } catch (error) {
    if (!(error instanceof ModelVerifyError)) throw error;
    if (error.kind === 'integrity') throw new RegistryError('integrity_error', error.message);
    const hint =
      error.file === MANIFEST_FILE && error.kind === 'missing'
        ? ' (expected the output folder of `resnet-edge quantize`)'
        : '';
    throw new RegistryError('invalid_model_dir', `${error.message}${hint}`);
  }
}
