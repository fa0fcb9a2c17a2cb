// The local stack the fuzzer aims at, as `resnet-edge serve` runs it: the HTTP front and `wrangler dev`
// (real workerd) on 127.0.0.1, serving the tiny int8 model from a fresh local R2 folder.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalWorker, type LocalWorker } from '../../../cli/src/serve-worker.ts';
import { publishModel } from '@resnet-edge/registry/publish';
import { R2LocalStore } from '@resnet-edge/registry/r2-local-store';
import { makeManifest } from '../publish.ts';
import { tinyModel } from '../tiny-model.ts';

export const FUZZ_UPLOAD_LIMIT = 256 * 1024;

export async function startFuzzStack(port: number, inspectorPort?: number): Promise<LocalWorker> {
  const persistTo = mkdtempSync(join(tmpdir(), 'fuzz-r2-'));
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-model-'));
  const model = tinyModel(1);
  writeFileSync(join(dir, 'model.tflite'), model);
  writeFileSync(join(dir, 'manifest.json'), (await makeManifest('fashion-mnist', '1.0.0', model)).manifestBytes);
  const store = new R2LocalStore(persistTo);
  await publishModel(store, dir, { by: 'tests/edge/fuzz' });
  await store.close();
  return startLocalWorker({
    port,
    persistTo,
    modelName: 'fashion-mnist',
    ...(process.env.FUZZ_LOG ? { log: (line: string) => console.error(line) } : {}),
    front: process.env.FUZZ_FRONT !== '0',
    ...(inspectorPort ? { inspectorPort } : {}),
    // A small limit keeps over-the-limit cases cheap; feedback is sampled, not rate-limited away.
    vars: { MAX_UPLOAD_BYTES: String(FUZZ_UPLOAD_LIMIT), FEEDBACK_PER_MINUTE: '100000' },
  });
}
