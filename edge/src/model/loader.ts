// The model cache of one isolate. The served version follows the pointer `models/<name>/current.json`, re-read
// at most every RECHECK_SECONDS; a moved pointer loads the new version beside the old one and swaps the map entry
// in one assignment, so a request sees either version whole. If the new version fails to load, the old one keeps
// serving and the reason is logged. `name@version` requests load that exact version into a small LRU.
//
// Loads are shared by concurrent requests, but in workerd a load's R2 reads belong to the request that started
// them: if that client hangs up, its I/O is cancelled and every other request awaiting the load would hang
// (workerd ends them with a plain 500, "the Worker's code had hung"; seen once in 30,000 fuzzed requests). So the
// starter hands each load to `keepAlive` (its ExecutionContext.waitUntil), which lets it finish whoever leaves,
// and a re-check of the pointer never makes a request wait while a loaded version can serve it. Every request
// awaits a load through `awaitShared`, which keeps pending work of its own while it waits (await-shared.ts).
import { assertModelName, assertVersion, modelFileKey } from '@resnet-edge/shared/registry/layout';
import type { Manifest } from '@resnet-edge/shared/registry/manifest';
import { Interpreter } from '@resnet-edge/shared/tflite/interpreter';
import type { ClassifierModel } from '@resnet-edge/shared/classify/classify';
import { ApiError } from '../errors.ts';
import { awaitShared } from './await-shared.ts';
import { readPointer, readServableModel } from './fetch-verified.ts';

export interface LoadedModel extends ClassifierModel {
  manifest: Manifest;
  interpreter: Interpreter;
}

interface Served {
  model: LoadedModel;
  manifestSha256: string;
  checkedAt: number;
  /** Manifest sha of a version that failed to load: not retried until the pointer moves again. */
  rejectedSha256?: string;
}

const PINNED_CAPACITY = 3;
const served = new Map<string, Served>();
const refreshing = new Map<string, Promise<LoadedModel>>();
const pinned = new Map<string, Promise<LoadedModel>>();

export interface ModelRef {
  name: string;
  version?: string;
}

/** `name` or `name@version`; a malformed reference is the client's error (400). */
export function parseModelRef(raw: string): ModelRef {
  const [name = '', version, ...rest] = raw.split('@');
  try {
    assertModelName(name);
    if (version !== undefined) assertVersion(version);
    if (rest.length > 0) throw new Error(`'${raw}' has more than one '@'`);
  } catch (error) {
    throw new ApiError(400, 'bad_parameter', `model: ${(error as Error).message}`);
  }
  return version === undefined ? { name } : { name, version };
}

async function loadVersion(
  bucket: R2Bucket,
  name: string,
  version: string,
  manifestSha256?: string,
): Promise<LoadedModel> {
  const { manifest, modelBytes: bytes } = await readServableModel(bucket, name, version, manifestSha256);
  let interpreter: Interpreter;
  try {
    interpreter = Interpreter.create(bytes);
  } catch (error) {
    throw new ApiError(
      503,
      'model_invalid',
      `${modelFileKey(name, version)} cannot be loaded: ${(error as Error).message}`,
    );
  }
  const want = manifest.inputShape.join('×');
  if (interpreter.inputShape.join('×') !== want) {
    throw new ApiError(
      503,
      'model_invalid',
      `${modelFileKey(name, version)} takes ${interpreter.inputShape.join('×')}, the manifest says ${want}`,
    );
  }
  return { manifest, interpreter };
}

function describe(error: unknown): string {
  return error instanceof ApiError ? `${error.code}: ${error.message}` : String(error);
}

async function refresh(bucket: R2Bucket, name: string, requested: boolean): Promise<LoadedModel> {
  const current = served.get(name);
  const pointer = await readPointer(bucket, name).catch((error: unknown) => {
    if (!current) throw error;
    console.error(
      `model ${name}: cannot read the pointer, keeping ${current.model.manifest.version}: ${describe(error)}`,
    );
    return undefined;
  });
  if (pointer === undefined) return current!.model;
  if (pointer === null) {
    if (current) {
      console.error(`model ${name}: pointer is gone, keeping ${current.model.manifest.version}`);
      current.checkedAt = Date.now();
      return current.model;
    }
    throw requested
      ? new ApiError(404, 'model_not_found', `no model named '${name}' is published`)
      : new ApiError(503, 'model_unavailable', `no model is published yet: models/${name}/current.json is missing`);
  }
  if (
    current &&
    (pointer.manifestSha256 === current.manifestSha256 || pointer.manifestSha256 === current.rejectedSha256)
  ) {
    current.checkedAt = Date.now();
    return current.model;
  }
  try {
    const model = await loadVersion(bucket, name, pointer.version, pointer.manifestSha256);
    served.set(name, { model, manifestSha256: pointer.manifestSha256, checkedAt: Date.now() });
    return model;
  } catch (error) {
    if (!current) throw error;
    console.error(
      `model ${name}: version ${pointer.version} failed to load, keeping ${current.model.manifest.version}: ${describe(error)}`,
    );
    served.set(name, { ...current, checkedAt: Date.now(), rejectedSha256: pointer.manifestSha256 });
    return current.model;
  }
}

export interface GetModelOptions {
  recheckMs: number;
  /** Re-read the pointer now (admin reload). */
  force?: boolean;
  /** The client named this model: a missing one is 404, not 503. */
  requested?: boolean;
  /** Keeps a load this request starts running after the request ends (ExecutionContext.waitUntil). */
  keepAlive?: (load: Promise<unknown>) => void;
}

/**
 * The model currently published under `name`, loaded and verified. Concurrent callers share one load; once a
 * version is loaded, a due re-check runs beside the request (stale-while-revalidate) unless `force` asks to wait.
 */
export function currentModel(bucket: R2Bucket, name: string, opts: GetModelOptions): Promise<LoadedModel> {
  const current = served.get(name);
  if (current && !opts.force && Date.now() - current.checkedAt < opts.recheckMs) return Promise.resolve(current.model);
  let pending = refreshing.get(name);
  if (!pending) {
    pending = refresh(bucket, name, opts.requested ?? false).finally(() => refreshing.delete(name));
    refreshing.set(name, pending);
    opts.keepAlive?.(pending.catch(() => undefined)); // its failure is logged or reaches the awaiting requests
  }
  if (current && !opts.force) return Promise.resolve(current.model);
  const load = pending;
  return awaitShared(load, `model ${name}`, () => refreshing.get(name) === load && refreshing.delete(name));
}

/** One exact version, verified against its manifest (no pointer is involved, so there is no manifest sha to check). */
export function pinnedModel(
  bucket: R2Bucket,
  name: string,
  version: string,
  keepAlive?: GetModelOptions['keepAlive'],
): Promise<LoadedModel> {
  const key = `${name}@${version}`;
  const wait = (load: Promise<LoadedModel>) =>
    awaitShared(load, `model ${key}`, () => pinned.get(key) === load && pinned.delete(key));
  const hit = pinned.get(key);
  if (hit) {
    pinned.delete(key); // re-insert: Map order is the LRU order
    pinned.set(key, hit);
    return wait(hit);
  }
  const loading = loadVersion(bucket, name, version).catch((error: unknown) => {
    pinned.delete(key); // a failure is not cached: the version may be published a moment later
    if (error instanceof ApiError && error.code === 'model_unavailable') {
      throw new ApiError(404, 'model_not_found', `no version ${version} of model '${name}': ${error.message}`);
    }
    throw error;
  });
  pinned.set(key, loading);
  keepAlive?.(loading.catch(() => undefined));
  while (pinned.size > PINNED_CAPACITY) pinned.delete(pinned.keys().next().value!);
  return wait(loading);
}

export function resolveModel(bucket: R2Bucket, ref: ModelRef, opts: GetModelOptions): Promise<LoadedModel> {
  return ref.version === undefined
    ? currentModel(bucket, ref.name, opts)
    : pinnedModel(bucket, ref.name, ref.version, opts.keepAlive);
}

/** The version this isolate serves for `name`, if it has loaded one. */
export function servedVersion(name: string): string | undefined {
  return served.get(name)?.model.manifest.version;
}
