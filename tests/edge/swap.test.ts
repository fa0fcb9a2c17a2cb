// Model swap in one isolate: v1 serves; v2 published and the pointer moved → after the re-check interval (1 s
// here) v2 serves; a corrupt v3 behind the pointer → v2 keeps serving and healthz stays ok; an admin reload
// picks up a good v4 at once.
import { modelFileKey } from '@resnet-edge/shared/registry/layout';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { movePointer, publish, putVersion } from './publish.ts';
import { tinyModel } from './tiny-model.ts';
import { ADMIN_TOKEN, expectError, fixture, startWorker, type TestWorker } from './worker.ts';

interface Answer {
  model: { name: string; version: string };
  predictions: { label: string; score: number }[];
}

let worker: TestWorker;
let image: Uint8Array;

beforeAll(async () => {
  worker = await startWorker({ RECHECK_SECONDS: '1' });
  image = await fixture('data', 'fashion-mnist-mini', 'test', 'coat', '00006.png');
});
afterAll(() => worker?.dispose());

async function ask(): Promise<Answer> {
  const response = await worker.fetch('/v1/classify?top_k=10', { method: 'POST', body: image });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as Answer;
}

async function waitForVersion(version: string, timeoutMs = 6000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await ask();
    if (answer.model.version === version || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('follows the pointer to a new version and refuses a corrupt one', async () => {
  await publish(worker, 'fashion-mnist', '1.0.0', tinyModel(1));
  const v1 = await ask();
  expect(v1.model.version).toBe('1.0.0');

  await publish(worker, 'fashion-mnist', '2.0.0', tinyModel(2), '1.0.0');
  const v2 = await waitForVersion('2.0.0');
  expect(v2.model.version).toBe('2.0.0');
  expect(v2.predictions).not.toEqual(v1.predictions); // other weights, other scores: the model itself changed

  // v3: the manifest is intact but model.tflite is not the file it lists.
  const v3 = await putVersion(worker, 'fashion-mnist', '3.0.0', tinyModel(3));
  const tampered = tinyModel(3);
  tampered[tampered.length - 1]! ^= 0xff;
  await worker.put(modelFileKey('fashion-mnist', '3.0.0'), tampered);
  await movePointer(worker, v3, '2.0.0');
  await sleep(1500); // past the re-check interval
  const still = await ask();
  expect(still.model.version).toBe('2.0.0');
  expect(still.predictions).toEqual(v2.predictions);
  const health = await worker.fetch('/healthz');
  expect(await health.json()).toEqual({
    status: 'ok',
    model: { name: 'fashion-mnist', version: '2.0.0' },
    int8Kernels: 'wasm-simd',
  });
  const error = await expectError(
    await worker.fetch('/v1/classify?model=fashion-mnist@3.0.0', { method: 'POST', body: image }),
    503,
    'model_integrity',
  );
  expect(error.message).toContain(modelFileKey('fashion-mnist', '3.0.0'));

  // A good v4: the admin reload picks it up at once, without waiting for the re-check interval.
  await publish(worker, 'fashion-mnist', '4.0.0', tinyModel(4), '3.0.0');
  const reload = await worker.fetch('/v1/admin/reload', {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  expect(await reload.json()).toEqual({
    model: { name: 'fashion-mnist', version: '4.0.0' },
    previous_version: '2.0.0',
    changed: true,
  });
  expect((await ask()).model.version).toBe('4.0.0');
});

it('serves from the isolate cache within the re-check interval, and a reload ends the wait', async () => {
  const slow = await startWorker({ RECHECK_SECONDS: '600' });
  try {
    const askSlow = async () =>
      ((await (await slow.fetch('/v1/classify', { method: 'POST', body: image })).json()) as Answer).model.version;
    await publish(slow, 'fashion-mnist', '1.0.0', tinyModel(1));
    expect(await askSlow()).toBe('1.0.0');
    await publish(slow, 'fashion-mnist', '2.0.0', tinyModel(2), '1.0.0');
    expect(await askSlow()).toBe('1.0.0'); // the pointer is not re-read on every request
    const reload = await slow.fetch('/v1/admin/reload', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(reload.status).toBe(200);
    expect(await askSlow()).toBe('2.0.0');
  } finally {
    await slow.dispose();
  }
});
