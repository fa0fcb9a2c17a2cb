// The bundle `wrangler deploy` would upload, run by bare workerd (no Miniflare, no wrangler proxy): its wasm modules
// load, a model is read through MODELS and classifies real images, and a short fuzz of every family that bare
// workerd can be sent (not `framing`, whose Content-Length junk only our front answers in JSON) gets JSON answers.
// `npm run bench -- fuzz-rss --host ours-workerd` runs the same host at tens of thousands of requests.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBareWorker, type BareWorker } from './bare-workerd/host.ts';
import { makeCases } from './fuzz/cases.ts';
import { runFuzz } from './fuzz/run.ts';
import { FUZZ_UPLOAD_LIMIT } from './fuzz/stack.ts';
import { fixture } from './worker.ts';

const port = 8880 + (process.pid % 50);
const url = `http://127.0.0.1:${port}`;
let worker: BareWorker;
beforeAll(async () => {
  worker = await startBareWorker({ port, vars: { MAX_UPLOAD_BYTES: String(FUZZ_UPLOAD_LIMIT) } });
}, 120_000);
afterAll(() => worker?.stop());

it.each(['color-640x427.jpg', 'palette-40x30.png', 'sample-32x24.webp'])('classifies %s', async (file) => {
  const response = await fetch(`${url}/v1/classify?top_k=3`, {
    method: 'POST',
    body: await fixture('tests', 'fixtures', 'images', file),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { model: { version: string }; predictions: { score: number }[] };
  expect(body.model.version).toBe('1.0.0');
  expect(body.predictions).toHaveLength(3);
});

it('lists the published model through the disk-backed MODELS binding', async () => {
  const response = await fetch(`${url}/v1/models`);
  expect(response.status).toBe(200);
  expect(((await response.json()) as { models: { name: string }[] }).models.map((m) => m.name)).toEqual([
    'fashion-mnist',
  ]);
});

it('answers 120 fuzzed requests in JSON, none a 5xx', async () => {
  const families = ['mutate', 'multipart', 'chunked', 'query', 'hostile'] as const;
  const report = await runFuzz(makeCases(14, 120, [...families], { uploadLimit: FUZZ_UPLOAD_LIMIT }), {
    url,
    concurrency: 4,
    timeoutMs: 10_000,
    budgetMs: 60_000,
  });
  expect(report.outcomes.length).toBe(120);
  expect(report.byVerdict).toEqual({ ...report.byVerdict, ok: 120 });
}, 90_000);
