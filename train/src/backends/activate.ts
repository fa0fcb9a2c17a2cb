import * as tf from '@tensorflow/tfjs-core';

/** Makes a registered backend current; tf.setBackend reports failure as `false`, we make it an error. */
export async function activate(tfBackend: string): Promise<void> {
  const ok = await tf.setBackend(tfBackend);
  if (!ok) throw new Error(`tf.setBackend('${tfBackend}') failed to initialise`);
  await tf.ready();
}
