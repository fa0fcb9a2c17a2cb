// `train --init` end to end on real images: a source run, then a fine-tuning run on other labels that starts
// from it (by folder and over HTTP from 127.0.0.1), and the bad inputs of issue 15 — each refused with its
// code and leaving no run folder behind.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../train/src/io/model-io.ts';
import { readRunInfo } from '../../train/src/run/run-folder.ts';
import { train, type TrainOptions } from '../../train/src/run/trainer.ts';
import type { InitRequest } from '../../train/src/transfer/init.ts';
import { writeSafetensors } from '../../train/src/transfer/safetensors.ts';
import { hostTensor } from '../../train/src/transfer/tensors.ts';

const MINI = join(process.cwd(), 'data', 'fashion-mnist-mini');
const SPEC: PreprocessSpec = {
  colorMode: 'grayscale',
  resizeShorter: 28,
  resizeAlgorithm: 'bilinear',
  crop: { height: 28, width: 28 },
  normalize: { kind: 'mean_std', mean: [0.286], std: [0.353] },
  maxPixels: 40_000_000,
};
const quiet = { isTTY: false, log: () => {} };
const FROZEN: InitRequest['recipe'] = {
  freeze: { kind: 'backbone' },
  unfreezeAt: 0,
  backboneLr: 0.1,
  batchNorm: 'frozen',
};

let work: string;
let server: Server;
let base: string;
let closedPort: number;
const SHORT = 'short.safetensors';

function subset(classes: string[], perClass: number, into: string): string {
  for (const cls of classes) {
    mkdirSync(join(into, cls), { recursive: true });
    for (const f of readdirSync(join(MINI, 'train', cls))
      .sort()
      .slice(0, perClass))
      cpSync(join(MINI, 'train', cls, f), join(into, cls, f));
  }
  return into;
}

function options(out: string, data: string, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    arch: 'resnet20',
    head: 'softmax',
    data: { train: { kind: 'folder', path: data }, validationFraction: 0, preprocess: SPEC },
    epochs: 1,
    batchSize: 16,
    lr: 0.05,
    optimizer: 'sgd',
    momentum: 0.9,
    weightDecay: 1e-4,
    schedule: 'constant',
    warmupEpochs: 0,
    labelSmoothing: 0,
    augment: [],
    seed: 3,
    backend: 'wasm',
    out,
    resume: false,
    patience: 0,
    maxTrainSamples: 0,
    workers: 1,
    ...extra,
  };
}

const weightsOf = async (run: string) => {
  const m = await loadModel(join(run, 'model'));
  const out = new Map(m.weights.map((w) => [w.originalName, Array.from(w.read().dataSync())]));
  m.dispose();
  return out;
};

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'resnet-edge-init-'));
  const source = subset(['bag', 'coat', 'dress', 'shirt'], 12, join(work, 'source-data'));
  base = join(work, 'base');
  await train(options(base, source), quiet);
  server = createServer((req, res) => {
    // Promises more bytes than it sends, then hangs up: a transfer cut off half-way.
    if (req.url === `/${SHORT}`) {
      res.writeHead(200, { 'content-length': 4096 });
      return void res.write(new Uint8Array(100), () => res.destroy());
    }
    const file = join(base, 'model', (req.url ?? '/').slice(1));
    if (!req.url?.startsWith('/') || !existsSync(file)) return void res.writeHead(404).end('not found');
    const bytes = readFileSync(file);
    res.writeHead(200, { 'content-length': bytes.byteLength }).end(bytes);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  closedPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
}, 240_000);
afterAll(() => {
  server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('train --init', () => {
  it('fine-tunes on new labels from a run folder: head replaced, frozen backbone and BatchNorm unchanged, start recorded', async () => {
    const data = subset(['sandal', 'sneaker', 'trouser'], 12, join(work, 'target-data'));
    const out = join(work, 'tuned');
    const r = await train(options(out, data, { init: { source: base, head: 'auto', recipe: FROZEN } }), quiet);
    expect(r.start).not.toBe('random');
    if (r.start === 'random') return;
    expect(r.start).toMatchObject({
      format: 'resnet-edge-run',
      head: 'replace',
      freeze: 'backbone',
      batchNorm: 'frozen',
    });
    const info = await readRunInfo(out);
    expect(info.init?.source).toBe(base);
    expect(info.labels).toEqual(['sandal', 'sneaker', 'trouser']);
    const [before, after] = [await weightsOf(base), await weightsOf(out)];
    for (const [name, values] of after) {
      if (name.startsWith('predictions/')) continue;
      expect(values, name).toEqual(before.get(name)); // frozen: not one bit moved (BN statistics included)
    }
    expect(after.get('predictions/kernel')!.length).toBe(64 * 3);
  }, 240_000);

  it('fetches a model.json and its shards over HTTP; backbone-lr 0 with BN training moves only the head and the BN statistics', async () => {
    const data = subset(['sandal', 'sneaker'], 12, join(work, 'http-data'));
    const out = join(work, 'from-url');
    const { port } = server.address() as AddressInfo;
    const logs: string[] = [];
    const r = await train(
      options(out, data, {
        init: {
          source: `http://127.0.0.1:${port}/model.json`,
          head: 'replace',
          recipe: { freeze: { kind: 'none' }, unfreezeAt: 0, backboneLr: 0, batchNorm: 'train' },
        },
      }),
      { isTTY: false, log: (m: string) => logs.push(m) },
    );
    expect(r.start === 'random' ? null : r.start.format).toBe('resnet-edge-run');
    expect(logs.some((l) => l.startsWith(`downloading http://127.0.0.1:${port}/`))).toBe(true);
    const [before, after] = [await weightsOf(base), await weightsOf(out)];
    expect(after.get('conv2_block1_1_conv/kernel')).toEqual(before.get('conv2_block1_1_conv/kernel'));
    expect(after.get('conv1_bn/moving_mean')).not.toEqual(before.get('conv1_bn/moving_mean'));
  }, 240_000);

  const bad: [string, () => InitRequest['source'], Partial<TrainOptions>, string][] = [
    ['weights of another architecture', () => base, { arch: 'resnet32' }, 'weights_mismatch'],
    ['the same labels but --init-head keep with another class count', () => base, {}, 'head_mismatch'],
    ['a truncated safetensors file', () => truncated(), {}, 'bad_weights_file'],
    ['a .pth with a non-tensor object (os.system)', () => 'tests/fixtures/transfer/evil.pth', {}, 'unsafe_pickle'],
    [
      'a URL that fails',
      () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/missing.safetensors`,
      {},
      'init_fetch_failed',
    ],
    ['a URL whose body breaks off', () => `http://127.0.0.1:${portOf(server)}/${SHORT}`, {}, 'init_fetch_failed'],
    ['a URL where nothing listens', () => `http://127.0.0.1:${closedPort}/w.safetensors`, {}, 'init_fetch_failed'],
    ['a torchvision ResNet stem for a ResNet-20', () => torchvisionStem(), {}, 'weights_mismatch'],
    ['a truncated .pth', () => truncatedPth(), {}, 'bad_weights_file'],
    ['a .pth holding a whole nn.Module, not tensors', () => 'tests/fixtures/transfer/module.pth', {}, 'unsafe_pickle'],
    ['a path that does not exist', () => join(work, 'nothing-here'), {}, 'init_not_found'],
  ];
  for (const [what, source, extra, code] of bad) {
    it(`refuses ${what} (${code}) and writes no run folder`, async () => {
      const data = subset(['sandal', 'sneaker'], 4, join(work, 'bad-data'));
      const out = join(work, `bad-${code}`);
      const head = code === 'head_mismatch' ? 'keep' : 'auto';
      await expect(
        train(options(out, data, { ...extra, init: { source: source(), head, recipe: FROZEN } }), quiet),
      ).rejects.toMatchObject({ code });
      expect(existsSync(out)).toBe(false);
    }, 60_000);
  }
});

const portOf = (s: Server) => (s.address() as AddressInfo).port;

function truncated(): string {
  const path = join(work, 'truncated.safetensors');
  const header = new TextEncoder().encode(
    JSON.stringify({ 'conv1.weight': { dtype: 'F32', shape: [64, 3, 7, 7], data_offsets: [0, 64 * 3 * 49 * 4] } }),
  );
  const bytes = new Uint8Array(8 + header.byteLength + 100);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(header.byteLength), true);
  bytes.set(header, 8);
  writeFileSync(path, bytes);
  return path;
}

/** A valid safetensors file with torchvision's ResNet stem (7×7, 3 → 64): it fits no ResNet-20. */
function torchvisionStem(): string {
  const path = join(work, 'stem.safetensors');
  const stem = hostTensor([64, 3, 7, 7], new Float32Array(64 * 3 * 49), 'conv1.weight');
  writeFileSync(path, writeSafetensors(new Map([['conv1.weight', stem]])));
  return path;
}

function truncatedPth(): string {
  const path = join(work, 'truncated.pth');
  const bytes = readFileSync('tests/fixtures/transfer/tiny.pth');
  writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
  return path;
}
