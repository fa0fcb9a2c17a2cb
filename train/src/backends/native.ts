// tfjs-node / tfjs-node-gpu: libtensorflow bindings, the fastest path (CUDA with -gpu). Both are optional
// dependencies (their install script downloads libtensorflow, impossible offline), so they are imported
// dynamically and a missing package is an ordinary, reported fallback.
//
// They register the 'tensorflow' backend on *their* tfjs-core. tfjs-core keeps its engine and kernel
// registry on a global (`_tfengine`, `kernelRegistry`), so even a second copy would register on ours; what
// must match is the version, since the two copies would otherwise disagree on kernels and tensor layout.
import { createRequire } from 'node:module';
import { readFileSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { activate } from './activate.ts';
import type { BackendReady, InitContext } from './index.ts';

const PACKAGES = { gpu: '@tensorflow/tfjs-node-gpu', cpu: '@tensorflow/tfjs-node' } as const;

interface PackageRef {
  dir: string;
  version: string;
}

function readPackage(pkgJsonPath: string): PackageRef {
  const { version } = JSON.parse(readFileSync(pkgJsonPath, 'utf8')) as { version: string };
  return { dir: realpathSync(dirname(pkgJsonPath)), version };
}

/** Resolves `name` as `fromFile` would see it, or undefined when it is not installed there. */
export function resolvePackage(name: string, fromFile: string): PackageRef | undefined {
  try {
    return readPackage(createRequire(fromFile).resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

export interface CoreCheck {
  ok: boolean;
  /** True when the native package loads the very same tfjs-core files we do. */
  sameInstance: boolean;
  reason: string;
}

/**
 * Checks that the tfjs-core the native package will load (through @tensorflow/tfjs) is ours, or at least
 * the same version. `ourCore` and `nativePkgJson` are paths, so tests can point this at any layout.
 */
export function checkSharedCore(ourCore: PackageRef, nativePkgJson: string): CoreCheck {
  const viaUmbrella = resolvePackage('@tensorflow/tfjs', nativePkgJson);
  const theirs =
    resolvePackage('@tensorflow/tfjs-core', nativePkgJson) ??
    (viaUmbrella ? resolvePackage('@tensorflow/tfjs-core', `${viaUmbrella.dir}/package.json`) : undefined);
  if (theirs === undefined)
    return { ok: false, sameInstance: false, reason: 'its @tensorflow/tfjs-core cannot be resolved' };
  if (theirs.dir === ourCore.dir)
    return { ok: true, sameInstance: true, reason: `shares tfjs-core ${ourCore.version}` };
  if (theirs.version === ourCore.version) {
    return {
      ok: true,
      sameInstance: false,
      reason: `own copy of tfjs-core ${theirs.version} (engine shared through the global registry)`,
    };
  }
  return {
    ok: false,
    sameInstance: false,
    reason: `it bundles tfjs-core ${theirs.version} but the trainer uses ${ourCore.version}; install the matching version (${ourCore.version})`,
  };
}

export async function initNative(kind: 'gpu' | 'cpu', ctx: InitContext): Promise<BackendReady> {
  const pkg = PACKAGES[kind];
  const here = import.meta.url;
  const native = resolvePackage(pkg, here);
  const ourCore = resolvePackage('@tensorflow/tfjs-core', here);
  if (native === undefined) {
    throw new Error(
      `${pkg} is not installed (optional dependency; needs internet to fetch libtensorflow${kind === 'gpu' ? ', and CUDA 11.2 + cuDNN 8.1' : ''})`,
    );
  }
  if (ourCore === undefined) throw new Error('@tensorflow/tfjs-core cannot be resolved');
  const core = checkSharedCore(ourCore, `${native.dir}/package.json`);
  if (!core.ok) throw new Error(`${pkg} ${native.version} cannot be used: ${core.reason}`);
  ctx.log(`loading ${pkg} ${native.version} (${core.reason})`);
  await import(pkg);
  if (tf.findBackendFactory('tensorflow') === null) {
    throw new Error(`${pkg} loaded but did not register the 'tensorflow' backend on the trainer's tfjs-core`);
  }
  await activate('tensorflow');
  const backend = tf.backend() as { isUsingGpuDevice?: boolean };
  if (kind === 'gpu' && backend.isUsingGpuDevice === false) {
    throw new Error(`${pkg} loaded but libtensorflow sees no CUDA device`);
  }
  return {
    tfBackend: 'tensorflow',
    detail: `libtensorflow via ${pkg} ${native.version}${kind === 'gpu' ? ' (CUDA)' : ''}`,
  };
}
