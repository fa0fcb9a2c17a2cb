// End to end, as a user runs it: `resnet-edge demo` (what `npm start` runs) trains on the bundled data, quantizes,
// publishes to a local R2 folder, starts the real worker (wrangler dev → workerd) and classifies held-out images
// over HTTP. Then the same published model is run in Node by `classify --model-dir`, and both answers must agree.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { json, runCli } from '../helpers/cli.ts';

interface Prediction {
  label: string;
  score: number;
}
interface Demo {
  modelDir: string;
  version: string;
  classified: { file: string; truth: string; predictions: Prediction[] }[];
  correct: number;
}
interface Classified {
  results: { file: string; predictions: Prediction[] }[];
}

let workdir = '';
afterAll(async () => {
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      })
      .on('error', reject);
  });
}

it('train → quantize → publish → serve → classify: the worker answers like Node does on the same model', async () => {
  workdir = await mkdtemp(join(tmpdir(), 'resnet-edge-e2e-'));
  // One epoch is far from converged, so the int8 gate is opened wide here; the gate itself is tested in
  // tests/train/quantize-cli.test.ts.
  const run = await runCli([
    'demo',
    '--once',
    '--epochs',
    '1',
    '--max-drop',
    '100',
    '--per-class',
    '1',
    '--workdir',
    workdir,
    '--port',
    String(await freePort()),
    '--json',
  ]);
  expect(run.code, run.stderr).toBe(0);
  const demo = json<Demo>(run);
  expect(demo.classified).toHaveLength(10);
  expect(new Set(demo.classified.map((c) => c.truth)).size).toBe(10);
  // Progress was visible at every stage.
  for (const stage of ['[1/5] train', '[2/5] quantize', '[3/5] publish', '[4/5] serve', '[5/5] classify'])
    expect(run.stderr).toContain(stage);
  expect(run.stderr).toMatch(/epoch 1\/1/);

  const files = demo.classified.map((c) => join(process.cwd(), c.file));
  const local = await runCli(['classify', ...files, '--model-dir', demo.modelDir, '--top-k', '3', '--json']);
  expect(local.code, local.stderr).toBe(0);
  const node = json<Classified>(local).results;
  demo.classified.forEach((served, i) => {
    const ours = node[i]!.predictions;
    expect(served.predictions.map((p) => p.label)).toEqual(ours.map((p) => p.label));
    served.predictions.forEach((p, k) => expect(Math.abs(p.score - ours[k]!.score)).toBeLessThanOrEqual(1e-6));
  });
  // Even one epoch on 1,800 images learns something: better than the 10 % of chance on these 10 images.
  expect(demo.correct).toBeGreaterThanOrEqual(3);
}, 600_000);
