// Picks the TF.js backend the trainer runs on. `auto` walks the list from fastest to always-there and
// records why each faster one was skipped, so the run log and metrics.json can say what ran and why.
import * as tf from '@tensorflow/tfjs-core';
import { BackendError, describeError } from './errors.ts';
import { BACKEND_NAMES, isBackendChoice, type BackendChoice, type BackendName } from './names.ts';
import { initNative } from './native.ts';
import { initWasm } from './wasm.ts';
import { initWebGpu } from './webgpu.ts';
import { initCpu } from './cpu.ts';

export { BackendError } from './errors.ts';


export interface BackendInfo {
  name: BackendName;
  /** The name tf.getBackend() reports ('tensorflow', 'webgpu', 'wasm', 'cpu'). */
  tfBackend: string;
  detail: string;
  /** Backends `auto` tried first and why each could not be used. */
  fallbacks: { name: BackendName; reason: string }[];
}

export const AUTO_ORDER: readonly BackendName[] = BACKEND_NAMES;

/** What one backend's initialiser returns when it worked. */
export interface BackendReady {
  tfBackend: string;
  detail: string;
}

export interface InitContext {
  /** True when the user named this backend: slow-but-working variants (software GPU) are then accepted. */
  explicit: boolean;
  log: (msg: string) => void;
}

const INITIALISERS: Record<BackendName, (ctx: InitContext) => Promise<BackendReady>> = {
  'tfjs-node-gpu': (ctx) => initNative('gpu', ctx),
  'tfjs-node': (ctx) => initNative('cpu', ctx),
  webgpu: (ctx) => initWebGpu(ctx),
  wasm: () => initWasm(),
  cpu: () => initCpu(),
};

/**
 * Selects and activates a backend. Must run before any tensor exists: tensors live on the backend that
 * made them, and switching later would silently copy every weight across.
 */
export async function initBackend(
  choice: BackendChoice = 'auto',
  log: (msg: string) => void = () => {},
): Promise<BackendInfo> {
  if (!isBackendChoice(choice)) {
    throw new BackendError('backend_unknown', `unknown backend "${String(choice)}"; expected auto or one of ${BACKEND_NAMES.join(', ')}`);
  }
  // Read the engine state directly: tf.memory() would itself initialise the highest-priority backend.
  const live = tf.engine().state.numTensors;
  if (live > 0) {
    throw new BackendError('backend_too_late', `initBackend must run before any tensor is created (${live} tensors already exist)`);
  }
  if (choice !== 'auto') {
    try {
      const ready = await INITIALISERS[choice]({ explicit: true, log });
      log(`backend: ${choice} (${ready.detail})`);
      return { name: choice, ...ready, fallbacks: [] };
    } catch (err) {
      throw new BackendError('backend_unavailable', `backend ${choice} cannot start: ${describeError(err)}`);
    }
  }
  const fallbacks: BackendInfo['fallbacks'] = [];
  for (const name of AUTO_ORDER) {
    try {
      const ready = await INITIALISERS[name]({ explicit: false, log });
      log(`backend: ${name} (${ready.detail})`);
      return { name, ...ready, fallbacks };
    } catch (err) {
      const reason = describeError(err);
      fallbacks.push({ name, reason });
      log(`backend ${name} skipped: ${reason}`);
    }
  }
  // cpu is pure JS and always registers; reaching here means tfjs-core itself is broken.
  throw new BackendError('backend_unavailable', `no backend could start: ${fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ')}`);
}

export { BACKEND_NAMES, isBackendChoice, type BackendChoice, type BackendName };
