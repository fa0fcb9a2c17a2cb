// The one way to read a model version and prove it is the version meant, wherever its files live (R2 in the
// worker, S3 or local R2 in the registry, a folder on disk in the CLI): the manifest parses (and matches the
// pointer's sha256 and the expected name@version when given), then each listed file has the manifest's size and
// sha256. Callers pass a reader and map the three failure kinds to their own error codes.
import { sha256Hex } from '../hash.ts';
import { MANIFEST_FILE, MODEL_FILE } from './layout.ts';
import { manifestSchema, type Manifest } from './manifest.ts';

/** missing: an object is absent · invalid: it is not what the format says · integrity: its bytes are not the ones listed. */
export type VerifyFailure = 'missing' | 'invalid' | 'integrity';

export class ModelVerifyError extends Error {
  override name = 'ModelVerifyError';
  constructor(
    readonly kind: VerifyFailure,
    /** The manifest or a file name of the version. */
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

export interface VerifiedModel {
  manifest: Manifest;
  manifestBytes: Uint8Array;
  /** The files read, each verified; always holds model.tflite. */
  files: Record<string, Uint8Array>;
  modelBytes: Uint8Array;
}

export interface VerifyOptions {
  /** Reads one file of the version by name; null when it does not exist. */
  read(file: string): Promise<Uint8Array | null>;
  /** How a file is named in messages: an object key or a path. */
  describe(file: string): string;
  /** The pointer's manifestSha256, when the version was reached through the pointer. */
  manifestSha256?: string;
  /** The name@version the manifest must describe. */
  expect?: { name: string; version: string };
  /** Which listed files to read (default: every one). The model file is always read. */
  only?: readonly string[];
}

export function parseManifestBytes(bytes: Uint8Array, where: string): Manifest {
  try {
    return manifestSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
  } catch (error) {
    throw new ModelVerifyError(
      'invalid',
      MANIFEST_FILE,
      `${where} is not a valid manifest: ${(error as Error).message.slice(0, 300)}`,
    );
  }
}

/** The manifest alone, proven (for listings that need no file of the version). */
export async function readVerifiedManifest(
  opts: Omit<VerifyOptions, 'only'>,
): Promise<{ manifest: Manifest; manifestBytes: Uint8Array }> {
  const where = opts.describe(MANIFEST_FILE);
  const manifestBytes = await opts.read(MANIFEST_FILE);
  if (manifestBytes === null) throw new ModelVerifyError('missing', MANIFEST_FILE, `${where} is missing`);
  if (opts.manifestSha256 !== undefined) {
    const actual = await sha256Hex(manifestBytes);
    if (actual !== opts.manifestSha256) {
      throw new ModelVerifyError(
        'integrity',
        MANIFEST_FILE,
        `${where} has sha256 ${actual}, the pointer expects ${opts.manifestSha256}`,
      );
    }
  }
  const manifest = parseManifestBytes(manifestBytes, where);
  const { expect } = opts;
  if (expect && (manifest.name !== expect.name || manifest.version !== expect.version)) {
    throw new ModelVerifyError(
      'invalid',
      MANIFEST_FILE,
      `${where} describes ${manifest.name}@${manifest.version}, not ${expect.name}@${expect.version}`,
    );
  }
  if (!manifest.files[MODEL_FILE])
    throw new ModelVerifyError('invalid', MANIFEST_FILE, `${where} lists no ${MODEL_FILE}`);
  return { manifest, manifestBytes };
}

export async function readVerifiedModel(opts: VerifyOptions): Promise<VerifiedModel> {
  const { manifest, manifestBytes } = await readVerifiedManifest(opts);
  const where = opts.describe(MANIFEST_FILE);
  const files: Record<string, Uint8Array> = {};
  for (const [file, entry] of Object.entries(manifest.files)) {
    // A listed name is a plain file of the version: never a path, never the manifest itself.
    if (file.includes('/') || file.includes('\\') || file === MANIFEST_FILE || file === '..') {
      throw new ModelVerifyError('invalid', MANIFEST_FILE, `${where} lists an invalid file name '${file}'`);
    }
    if (opts.only && file !== MODEL_FILE && !opts.only.includes(file)) continue;
    const at = opts.describe(file);
    const bytes = await opts.read(file);
    if (bytes === null) throw new ModelVerifyError('missing', file, `${at} is listed in the manifest but missing`);
    if (bytes.byteLength !== entry.size) {
      throw new ModelVerifyError(
        'integrity',
        file,
        `${at} is ${bytes.byteLength} bytes, the manifest says ${entry.size}`,
      );
    }
    const sha = await sha256Hex(bytes);
    if (sha !== entry.sha256)
      throw new ModelVerifyError('integrity', file, `${at} has sha256 ${sha}, the manifest says ${entry.sha256}`);
    files[file] = bytes;
  }
  return { manifest, manifestBytes, files, modelBytes: files[MODEL_FILE]! };
}
