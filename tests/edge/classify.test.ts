// The worker answering with a real int8 model in real workerd: raw and multipart uploads of real JPEG/PNG bytes,
// every bad image refused with its status, and the worker's scores equal to `resnet-edge classify --model-dir`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerTiming } from '../../edge/src/server-timing.ts';
import { streamedPng } from '../helpers/big-images.ts';
import { json, runCli } from '../helpers/cli.ts';
import { FASHION_LABELS, publish, type Published } from './publish.ts';
import { tinyModel } from './tiny-model.ts';
import { expectError, fixture, multipart, startWorker, type TestWorker } from './worker.ts';

interface Answer {
  model: { name: string; version: string };
  predictions: { label: string; score: number }[];
  timing: { decode_ms: number; preprocess_ms: number; infer_ms: number };
  memory: { peak_bytes: number };
}

// One real held-out image per class folder (the mini set keeps the original Fashion-MNIST test indices).
const HELD_OUT = [
  ['ankle_boot', '00000.png'],
  ['bag', '00018.png'],
  ['coat', '00006.png'],
  ['trouser', '00002.png'],
].map(([label, file]) => ['data', 'fashion-mnist-mini', 'test', label!, file!]);
const COLOUR_AND_GRAY = [
  'color-640x427.jpg',
  'gray-61x45.jpg',
  'progressive-420-75x50.jpg',
  'color-50x40.png',
  'gray-33x21.png',
  'rgba-40x30.png',
  'palette-40x30.png',
];

let worker: TestWorker;
let model: Uint8Array;
let published: Published;
let modelDir: string;

beforeAll(async () => {
  worker = await startWorker();
  model = tinyModel(1);
  published = await publish(worker, 'fashion-mnist', '1.0.0', model);
  modelDir = await mkdtemp(join(tmpdir(), 'resnet-edge-edge-test-'));
  await writeFile(join(modelDir, 'model.tflite'), model);
  await writeFile(join(modelDir, 'manifest.json'), published.manifestBytes);
});
afterAll(async () => {
  await worker?.dispose();
  if (modelDir) await rm(modelDir, { recursive: true, force: true });
});

async function classifyRaw(bytes: Uint8Array, query = ''): Promise<Answer> {
  const response = await worker.fetch(`/v1/classify${query}`, {
    method: 'POST',
    body: bytes,
    headers: { 'content-type': 'application/octet-stream' },
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text) as Answer;
}

function expectWellFormed(answer: Answer, k: number): void {
  expect(answer.model).toEqual({ name: 'fashion-mnist', version: '1.0.0' });
  expect(answer.predictions).toHaveLength(k);
  for (const p of answer.predictions) expect(FASHION_LABELS).toContain(p.label);
  const scores = answer.predictions.map((p) => p.score);
  expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
  for (const t of Object.values(answer.timing)) expect(t).toBeGreaterThanOrEqual(0);
  // The request's MemoryBudget high-water mark: a small upload's decode buffers, far under the 48 MB bound.
  expect(answer.memory.peak_bytes).toBeGreaterThan(0);
  expect(answer.memory.peak_bytes).toBeLessThan(4 * 1024 * 1024);
}

describe('a published model', () => {
  it('makes healthz ok and is listed with its manifest', async () => {
    const health = await worker.fetch('/healthz');
    expect(health.status).toBe(200);
    // The worker imports conv.wasm as a compiled module: convolutions run on WebAssembly SIMD in workerd.
    expect(await health.json()).toEqual({
      status: 'ok',
      model: { name: 'fashion-mnist', version: '1.0.0' },
      int8Kernels: 'wasm-simd',
    });
    const list = (await (await worker.fetch('/v1/models')).json()) as {
      models: { name: string; version: string; labels: string[] }[];
    };
    expect(list.models.map((m) => [m.name, m.version])).toEqual([['fashion-mnist', '1.0.0']]);
    const one = (await (await worker.fetch('/v1/models/fashion-mnist')).json()) as Record<string, unknown>;
    expect(one).toMatchObject({
      name: 'fashion-mnist',
      version: '1.0.0',
      labels: FASHION_LABELS,
      input_shape: [1, 28, 28, 1],
      served_version: '1.0.0',
    });
  });

  it.each(HELD_OUT)('classifies held-out %s/%s/%s/%s/%s sent raw', async (...path) => {
    expectWellFormed(await classifyRaw(await fixture(...path)), 5);
  });

  it.each(COLOUR_AND_GRAY)('classifies the colour/grayscale fixture %s', async (name) => {
    expectWellFormed(await classifyRaw(await fixture('tests', 'fixtures', 'images', name)), 5);
  });

  it.each(['webp-lossy-photo-120x80.webp', 'webp-lossy-alpha-40x30.webp', 'webp-lossless-50x40.webp'])(
    'classifies the WebP %s sent as image/webp, raw and multipart alike',
    async (name) => {
      const bytes = await fixture('tests', 'fixtures', 'images', name);
      const response = await worker.fetch('/v1/classify', {
        method: 'POST',
        body: bytes,
        headers: { 'content-type': 'image/webp' },
      });
      const text = await response.text();
      expect(response.status, text).toBe(200);
      const answer = JSON.parse(text) as Answer;
      expectWellFormed(answer, 5);
      const form = await multipart({ file: bytes });
      const viaForm = await worker.fetch('/v1/classify', {
        method: 'POST',
        body: form.body,
        headers: { 'content-type': form.type },
      });
      expect(((await viaForm.json()) as Answer).predictions).toEqual(answer.predictions);
    },
  );

  it('gives all ten labels summing to 1 for top_k=10, and 400 for top_k=11', async () => {
    const bytes = await fixture(...HELD_OUT[0]!);
    const answer = await classifyRaw(bytes, '?top_k=10');
    expectWellFormed(answer, 10);
    expect(answer.predictions.reduce((s, p) => s + p.score, 0)).toBeCloseTo(1, 6);
    expect(new Set(answer.predictions.map((p) => p.label)).size).toBe(10);
    await expectError(
      await worker.fetch('/v1/classify?top_k=11', { method: 'POST', body: bytes }),
      400,
      'bad_parameter',
    );
  });

  it("splits its time in a Server-Timing header that matches the answer's own timing", async () => {
    const response = await worker.fetch('/v1/classify', {
      method: 'POST',
      body: await fixture(...HELD_OUT[1]!),
      headers: { 'content-type': 'image/png' },
    });
    const answer = (await response.json()) as Answer;
    const phases = parseServerTiming(response.headers.get('server-timing'));
    expect(Object.keys(phases)).toEqual(['upload', 'model', 'classify', 'decode', 'preprocess', 'infer', 'total']);
    for (const ms of Object.values(phases)) expect(ms).toBeGreaterThanOrEqual(0);
    // The header rounds to 0.01 ms; the answer's fields are the same measurements.
    expect(phases.decode).toBeCloseTo(answer.timing.decode_ms, 1);
    expect(phases.infer).toBeCloseTo(answer.timing.infer_ms, 1);
    expect(phases.total! + 0.01).toBeGreaterThanOrEqual(phases.upload! + phases.model! + phases.classify!);
  });

  it('answers the same for a multipart upload as for the raw body', async () => {
    const bytes = await fixture('tests', 'fixtures', 'images', 'color-640x427.jpg');
    const form = await multipart({ file: bytes });
    const response = await worker.fetch('/v1/classify?top_k=10', {
      method: 'POST',
      body: form.body,
      headers: { 'content-type': form.type },
    });
    expect(response.status).toBe(200);
    const viaForm = (await response.json()) as Answer;
    expect(viaForm.predictions).toEqual((await classifyRaw(bytes, '?top_k=10')).predictions);
  });

  it('serves an exact version by ?model=name@version', async () => {
    const answer = await classifyRaw(await fixture(...HELD_OUT[1]!), '?model=fashion-mnist@1.0.0');
    expect(answer.model).toEqual({ name: 'fashion-mnist', version: '1.0.0' });
    await expectError(
      await worker.fetch('/v1/classify?model=fashion-mnist@9.9.9', {
        method: 'POST',
        body: await fixture(...HELD_OUT[1]!),
      }),
      404,
      'model_not_found',
    );
  });
});

describe('bad images are refused with their status, never a 500', () => {
  const send = async (bytes: Uint8Array | string) =>
    worker.fetch('/v1/classify', {
      method: 'POST',
      body: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes,
      headers: { 'content-type': 'image/png' },
    });

  it('a text body is 415 unsupported_format', async () => {
    await expectError(await send('hello, this is not an image'), 415, 'unsupported_format');
    await expectError(
      await send(await fixture('tests', 'fixtures', 'images', 'not-an-image.jpg')),
      415,
      'unsupported_format',
    );
  });

  it('an animated WebP is 415 animated_image; a truncated WebP is 422 corrupt_image', async () => {
    const webp = await fixture('tests', 'fixtures', 'images', 'webp-lossy-37x23.webp');
    const vp8x = [0x56, 0x50, 0x38, 0x58, 10, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const anim = new Uint8Array([0x52, 0x49, 0x46, 0x46, 4 + vp8x.length, 0, 0, 0, 0x57, 0x45, 0x42, 0x50, ...vp8x]);
    await expectError(await send(anim), 415, 'animated_image');
    await expectError(await send(webp.subarray(0, webp.length >> 1)), 422, 'corrupt_image');
  });

  it('truncated PNG and JPEG are 422 corrupt_image', async () => {
    await expectError(await send(await fixture('tests', 'fixtures', 'images', 'truncated.png')), 422, 'corrupt_image');
    await expectError(await send(await fixture('tests', 'fixtures', 'images', 'truncated.jpg')), 422, 'corrupt_image');
  });

  it('a 50000×50000 header is 422 too_many_pixels without decoding', async () => {
    const error = await expectError(
      await send(await fixture('tests', 'fixtures', 'images', 'huge-header-50000x50000.png')),
      422,
      'too_many_pixels',
    );
    expect(error.message).toContain('12000000'); // the worker's MAX_PIXELS, not the manifest's 40 MP
  });

  it('an empty file is 400 empty_body', async () => {
    await expectError(await send(await fixture('tests', 'fixtures', 'images', 'empty.jpg')), 400, 'empty_body');
  });
});

describe('admin reload', () => {
  it('re-reads the pointer with the token', async () => {
    const response = await worker.fetch('/v1/admin/reload', {
      method: 'POST',
      headers: { authorization: 'Bearer test-token' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      model: { name: 'fashion-mnist', version: '1.0.0' },
      previous_version: '1.0.0',
      changed: false,
    });
  });
});

describe('the worker and the CLI compute the same scores', () => {
  it('for held-out, colour and WebP images, to 1e-6', async () => {
    const images = ['color-640x427.jpg', 'webp-lossy-photo-120x80.webp', 'webp-lossless-50x40.webp'];
    const files = [
      ...HELD_OUT.map((p) => join(...p)),
      ...images.map((name) => join('tests', 'fixtures', 'images', name)),
    ];
    const cli = await runCli(['classify', ...files, '--model-dir', modelDir, '--top-k', '10', '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    const local = json<{ results: (Answer & { file: string })[] }>(cli).results;
    expect(local).toHaveLength(files.length);
    for (const [i, file] of files.entries()) {
      const remote = await classifyRaw(await fixture(file), '?top_k=10');
      const byLabel = new Map(local[i]!.predictions.map((p) => [p.label, p.score]));
      for (const p of remote.predictions) expect(Math.abs(p.score - byLabel.get(p.label)!)).toBeLessThan(1e-6);
      expect(remote.predictions.map((p) => p.label)).toEqual(local[i]!.predictions.map((p) => p.label));
    }
  });
});

describe('resnet-edge classify --model-dir refuses a model that is not the one its manifest lists', () => {
  it('exits 1 with model_integrity', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'resnet-edge-edge-test-'));
    try {
      const tampered = model.slice();
      tampered[tampered.length - 1]! ^= 0xff;
      await writeFile(join(dir, 'model.tflite'), tampered);
      await writeFile(join(dir, 'manifest.json'), published.manifestBytes);
      const cli = await runCli(['classify', join(...HELD_OUT[0]!), '--model-dir', dir]);
      expect(cli.code).toBe(1);
      expect(cli.stderr).toContain('model_integrity');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('resnet-edge classify --url', () => {
  it('asks the running worker over HTTP and prints its answer', async () => {
    const url = (await worker.mf.ready).href;
    const file = join(...HELD_OUT[2]!);
    const cli = await runCli(['classify', file, '--url', url, '--top-k', '3', '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    const [result] = json<{ results: (Answer & { file: string })[] }>(cli).results;
    expect(result!.file).toBe(file);
    expect(result!.predictions).toEqual((await classifyRaw(await fixture(file), '?top_k=3')).predictions);
  });

  it("exits 1 with the worker's error code for a bad image", async () => {
    const url = (await worker.mf.ready).href;
    const cli = await runCli(['classify', join('tests', 'fixtures', 'images', 'truncated.png'), '--url', url]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('corrupt_image');
  });

  it('needs exactly one of --url and --model-dir', async () => {
    const file = join(...HELD_OUT[0]!);
    expect((await runCli(['classify', file])).code).toBe(2);
    expect((await runCli(['classify', file, '--url', 'http://127.0.0.1:9', '--model-dir', modelDir])).code).toBe(2);
    expect((await runCli(['classify', file, '--model-dir', modelDir, '--top-k', '11'])).code).toBe(2);
  });
});

describe("the worker's decode caps: MAX_PIXELS, MAX_PNG_BYTES", () => {
  it('caps the pixels below the manifest limit, and refuses a PNG whose inflated data is over MAX_PNG_BYTES', async () => {
    const small = await startWorker({ MAX_PIXELS: '100000', MAX_PNG_BYTES: '100000' });
    try {
      await publish(small, 'fashion-mnist', '1.0.0', model);
      const bytes = await fixture('tests', 'fixtures', 'images', 'color-640x427.jpg'); // 273 280 pixels
      await expectError(await small.fetch('/v1/classify', { method: 'POST', body: bytes }), 422, 'too_many_pixels');
      // 200×200 RGB: 200 × (1 + 600) = 120,200 bytes of image data, under the pixel cap but over 100,000 bytes.
      const png = streamedPng(200, 200, 8, 2, () => new Uint8Array(601));
      const refused = await expectError(
        await small.fetch('/v1/classify', { method: 'POST', body: png }),
        422,
        'png_too_large',
      );
      expect(refused.message).toMatch(/PNG image data is 0\.1 MB once inflated \(200×200, 8-bit\).*send it as JPEG/);
      const ok = await small.fetch('/v1/classify', { method: 'POST', body: await fixture(...HELD_OUT[0]!) });
      expect(ok.status).toBe(200);
    } finally {
      await small.dispose();
    }
  });
});
