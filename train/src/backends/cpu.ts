import '@tensorflow/tfjs-backend-cpu';
import { activate } from './activate.ts';
import type { BackendReady } from './index.ts';

/** Pure-JS reference backend: always available, far too slow to train anything but toy nets. */
export async function initCpu(): Promise<BackendReady> {
  await activate('cpu');
  return { tfBackend: 'cpu', detail: 'pure JavaScript reference kernels' };
}
