// `--init model:NAME[@VERSION]`: start from a version published to the model registry. The reference reads like
// `classify --model NAME[@VERSION]` (no version = the one `current` points at, the champion `retrain --from
// champion` uses) and the store comes from the same --store flag every registry command takes. The version is
// read through the registry's verifying reader: the manifest against the pointer (when reached through it) and
// weights.safetensors against the sha256 and size the manifest lists, before one tensor is used.
import { assertModelName, assertVersion, FLOAT_WEIGHTS_FILE } from '@resnet-edge/shared/registry/layout';
import { readModel } from '@resnet-edge/registry/read';
import { RegistryError } from '@resnet-edge/registry/errors';
import type { ObjectStore } from '@resnet-edge/registry/store';
import { TransferError } from './errors.ts';
import { fromWeightsFile, type InitWeights } from './source.ts';

/** The CLI's PUBLISHED_INIT_PREFIX (cli/src/transfer-options.ts) is the same text. */
export const PUBLISHED_PREFIX = 'model:';

export interface PublishedRef {
  name: string;
  /** Absent: the version the model's pointer names. */
  version?: string;
}

export const isPublishedRef = (source: string) => source.startsWith(PUBLISHED_PREFIX);

export function parsePublishedRef(source: string): PublishedRef {
  const body = source.slice(PUBLISHED_PREFIX.length);
  const at = body.indexOf('@');
  const name = at < 0 ? body : body.slice(0, at);
  const version = at < 0 ? undefined : body.slice(at + 1);
  try {
    assertModelName(name);
    if (version !== undefined && version !== 'current') assertVersion(version);
  } catch (err) {
    const why = (err as Error).message;
    throw new TransferError('bad_init_ref', `--init ${source}: ${why} (expected model:NAME or model:NAME@X.Y.Z)`);
  }
  return version === undefined || version === 'current' ? { name } : { name, version };
}

/** The published version's float weights, verified; the store stays open (the caller owns it). */
export async function loadPublished(
  source: string,
  store: ObjectStore | undefined,
  log: (m: string) => void,
): Promise<InitWeights> {
  const ref = parsePublishedRef(source);
  if (!store) {
    throw new TransferError(
      'init_no_store',
      `--init ${source} names a published version, but no model store was given (--store URL)`,
    );
  }
  let model;
  try {
    model = await readModel(store, ref.name, ref.version);
  } catch (err) {
    if (!(err instanceof RegistryError)) throw err;
    const code =
      err.code === 'integrity_error'
        ? 'init_integrity_error'
        : err.code === 'model_not_found' || err.code === 'version_not_found'
          ? 'init_not_found'
          : 'init_fetch_failed';
    throw new TransferError(
      code,
      `--init ${source}: ${err.message}${code === 'init_integrity_error' ? '; nothing was used' : ''}`,
    );
  }
  const { manifest } = model;
  const at = `${PUBLISHED_PREFIX}${manifest.name}@${manifest.version}`;
  const bytes = model.files[FLOAT_WEIGHTS_FILE];
  if (!bytes) {
    throw new TransferError(
      'no_float_weights',
      `--init ${at} was published without float weights (${FLOAT_WEIGHTS_FILE}); quantize and publish it with this release to start from it`,
    );
  }
  const sha256 = manifest.files[FLOAT_WEIGHTS_FILE]!.sha256;
  log(`init: ${at} from ${store.describe}, ${FLOAT_WEIGHTS_FILE} sha256 ${sha256.slice(0, 12)}… verified`);
  const init = fromWeightsFile(bytes, at);
  if (init.format !== 'resnet-edge-weights') {
    throw new TransferError(
      'bad_weights_file',
      `--init ${at}: its ${FLOAT_WEIGHTS_FILE} is not a resnet-edge weights file`,
    );
  }
  if (init.arch && init.arch !== manifest.arch) {
    const why = `the manifest says ${manifest.arch} but its weights are ${init.arch}`;
    throw new TransferError('weights_mismatch', `--init ${at}: ${why}`);
  }
  return { ...init, arch: manifest.arch, sha256 };
}
