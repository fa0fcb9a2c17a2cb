// Picks the TF.js backend the trainer runs on. `auto` walks the list from fastest to always-there and
// records why each faster one was skipped, so the run log and metrics.json can say what ran and why.
import * as tf from '@tensorflow/tfjs-core';
import { BackendError, describeError } from './errors.ts';
import { BACKEND_NAMES, isBackendChoice, type BackendChoice, type BackendName } from './names.ts';
import { initNative } from './native.ts';
import { initWasm } from './wasm.ts';
import { initWebGpu } from './webgpu.ts';
import { initCpu } from './cpu.ts';
import { activate } from './activate.ts';
import { raceBackends, type Contender, type Measure } from './race.ts';

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

/** The GPU backends `auto` measures against each other when more than one can start. */
export const RACED: readonly BackendName[] = ['tfjs-node-gpu', 'webgpu'];

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
  /** How `auto` measures GPU backends when more than one starts (run/backend-probe.ts); without it, the first wins. */
  measure?: Measure,
): Promise<BackendInfo> {
  if (!isBackendChoice(choice)) {
    throw new BackendError(
      'backend_unknown',
      `unknown backend "${String(choice)}"; expected auto or one of ${BACKEND_NAMES.join(', ')}`,
    );
  }
  // Read the engine state directly: tf.memory() would itself initialise the highest-priority backend.
  const live = tf.engine().state.numTensors;
  if (live > 0) {
    throw new BackendError(
      'backend_too_late',
      `initBackend must run before any tensor is created (${live} tensors already exist)`,
    );
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
  const skip = (name: BackendName, err: unknown) => {
    const reason = describeError(err);
    fallbacks.push({ name, reason });
    log(`backend ${name} skipped: ${reason}`);
  };
  // The GPU backends first: every one that starts is a contender; two or more are measured, and the fastest wins.
  const contenders: Contender[] = [];
  for (const name of RACED) {
    try {
      contenders.push({ name, ...(await INITIALISERS[name]({ explicit: false, log })) });
    } catch (err) {
      skip(name, err);
    }
  }
  if (contenders.length > 0) {
    const unavailable = fallbacks
      .filter((f) => RACED.includes(f.name))
      .map((f) => `${f.name} unavailable: ${f.reason}`);
    let winner = contenders[0]!;
    if (contenders.length === 1 || !measure) {
      await activate(winner.tfBackend);
      const why =
        contenders.length === 1
          ? 'the only GPU backend that started'
          : `first of ${contenders.map((c) => c.name).join(', ')}; not measured`;
      log(`backend auto → ${winner.name} (${[why, ...unavailable].join('; ')})`);
    } else {
      const race = await raceBackends(contenders, measure);
      winner = race.winner;
      for (const r of race.results) {
        if (r.name !== winner.name)
          fallbacks.push({ name: r.name, reason: r.error ?? `slower at start-up: ${r.imgPerSec!.toFixed(1)} img/s` });
      }
      log(unavailable.length ? `${race.line}; ${unavailable.join('; ')}` : race.line);
    }
    log(`backend: ${winner.name} (${winner.detail})`);
    return { name: winner.name, tfBackend: winner.tfBackend, detail: winner.detail, fallbacks };
  }
  for (const name of AUTO_ORDER.filter((n) => !RACED.includes(n))) {
    try {
      const ready = await INITIALISERS[name]({ explicit: false, log });
      log(`backend: ${name} (${ready.detail})`);
      return { name, ...ready, fallbacks };
    } catch (err) {
      skip(name, err);
    }
  }
  // cpu is pure JS and always registers; reaching here means tfjs-core itself is broken.
  throw new BackendError(
    'backend_unavailable',
    `no backend could start: ${fallbacks.map((f) => `${f.name}: ${f.reason}`).join('; ')}`,
  );
}

export { BACKEND_NAMES, isBackendChoice, type BackendChoice, type BackendName };
