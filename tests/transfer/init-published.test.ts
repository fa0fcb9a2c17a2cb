// `train --init model:NAME[@VERSION]` against a real local store (Miniflare's R2, as `resnet-edge serve` uses):
// a run is quantized and published with its float weights, then new runs start from that version — through the
// CLI with no fine-tuning flags (the defaults of training/recipe.ts land in run.json) and through the trainer —
// and every bad reference or version is refused with its code, leaving no run folder behind.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTflite } from '@resnet-edge/shared/tflite/writer';
import { publishModel } from '@resnet-edge/registry/publish';
import type { ObjectStore } from '@resnet-edge/registry/store';
import { openStore } from '@resnet-edge/registry/store-url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quantizeRun } from '../../train/src/quantize/quantize-run.ts';
import { readRunInfo } from '../../train/src/run/run-folder.ts';
import { train, type TrainOptions } from '../../train/src/run/trainer.ts';
import { FINE_TUNE_DEFAULTS } from '../../train/src/training/recipe.ts';
import type { InitRequest } from '../../train/src/transfer/init.ts';
import { readSafetensors } from '../../train/src/transfer/safetensors.ts';
import { freezeLabel } from '../../train/src/transfer/recipe.ts';
import { json, runCli } from '../helpers/cli.ts';
import { miniSubset, MINI_SPEC, tinyRecipe } from '../registry/retrain-fixtures.ts';

const SOURCE_CLASSES = ['bag', 'coat', 'sandal'];
const quiet = { isTTY: false, log: () => {} };
const FROZEN: InitRequest['recipe'] = {
  freeze: { kind: 'backbone' },
  unfreezeAt: 0,
  backboneLr: 1,
  batchNorm: 'frozen',
};

let work: string;
let storeUrl: string;
let store: ObjectStore;
let target: string;
let published: Uint8Array;
let sha256: string;

const folderData = (path: string) => ({
  train: { kind: 'folder' as const, path },
  validationFraction: 0,
  preprocess: MINI_SPEC,
});

function options(out: string, extra: Partial<TrainOptions> = {}): TrainOptions {
  return {
    ...tinyRecipe({ schedule: 'constant', seed: 7, backend: 'wasm' }),
    arch: 'resnet20',
    head: 'softmax',
    data: folderData(target),
    out,
    resume: false,
    ...extra,
  };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'resnet-edge-init-published-'));
  storeUrl = `r2-local:${join(work, 'r2')}`;
  store = await openStore(storeUrl);
  const source = miniSubset(SOURCE_CLASSES, 'train', 12, join(work, 'source'));
  target = miniSubset(['dress', 'sneaker'], 'train', 8, join(work, 'target'));
  writeFileSync(join(work, 'spec.json'), JSON.stringify(MINI_SPEC));
  const run = join(work, 'source-run');
  await train(options(run, { data: folderData(source) }), quiet);
  const q = join(run, 'q');
  const calibration = { calibrationSamples: 16, calibration: 'minmax' as const, maxDrop: 100 };
  await quantizeRun({ run, ...calibration, out: q, name: 'fm', version: '1.0.0', writeTflite }, quiet);
  await publishModel(store, q, { by: 'test' });
  published = new Uint8Array(readFileSync(join(q, 'weights.safetensors')));
  sha256 = JSON.parse(readFileSync(join(q, 'manifest.json'), 'utf8')).files['weights.safetensors'].sha256;

  // A version without float weights (published before quantize wrote them) and one whose weights were replaced.
  const old = join(work, 'old');
  cpSync(q, old, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(old, 'manifest.json'), 'utf8'));
  delete manifest.files['weights.safetensors'];
  writeFileSync(join(old, 'manifest.json'), JSON.stringify(manifest));
  rmSync(join(old, 'weights.safetensors'));
  await publishModel(store, old, { by: 'test', name: 'no-weights' });
  await publishModel(store, q, { by: 'test', name: 'tampered' });
  const evil = published.slice();
  evil[evil.length - 1] = evil[evil.length - 1]! ^ 0xff;
  await store.put('models/tampered/1.0.0/weights.safetensors', evil);
}, 240_000);
afterAll(async () => {
  await store?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('train --init model:NAME[@VERSION]', () => {
  it('CLI: starts from the current version, sha256 verified, fine-tuning defaults for absent flags', async () => {
    const out = join(work, 'cli-run');
    const r = await runCli([
      'train',
      '--init',
      'model:fm',
      '--store',
      storeUrl,
      '--data',
      target,
      '--spec',
      join(work, 'spec.json'),
      '--validation-fraction',
      '0',
      '--epochs',
      '2',
      '--batch-size',
      '8',
      '--augment',
      'none',
      '--backend',
      'wasm',
      '--workers',
      '1',
      '--out',
      out,
      '--json',
    ]);
    expect(r.stderr).toContain(`sha256 ${sha256.slice(0, 12)}`);
    expect(r.code, r.stderr).toBe(0);
    const d = FINE_TUNE_DEFAULTS;
    const expected = {
      source: 'model:fm@1.0.0',
      freeze: freezeLabel(d.freeze),
      unfreezeAt: d.unfreezeAt,
      backboneLr: d.backboneLr,
      batchNorm: d.batchNorm,
    };
    expect(json(r).start).toMatchObject({ format: 'resnet-edge-weights', head: 'replace', ...expected });
    expect((await readRunInfo(out)).init).toMatchObject({ sha256, loadedTensors: expect.any(Number), ...expected });
  }, 120_000);

  it('trainer: an explicit version; a frozen backbone is the published weights, bit for bit', async () => {
    const out = join(work, 'api-run');
    const init: InitRequest = { source: 'model:fm@1.0.0', head: 'replace', recipe: FROZEN, store };
    const r = await train(options(out, { init }), quiet);
    expect(r.start === 'random' ? null : r.start.format).toBe('resnet-edge-weights');
    const { loadModel } = await import('../../train/src/io/model-io.ts');
    const m = await loadModel(join(out, 'model'));
    const kernel = m.weights
      .find((w) => w.originalName === 'conv2_block1_1_conv/kernel')!
      .read()
      .dataSync();
    m.dispose();
    const publishedKernel = readSafetensors(published).tensors.get('conv2_block1_1_conv/kernel')!;
    expect(Array.from(kernel)).toEqual(Array.from(publishedKernel.data));
  }, 120_000);

  type BadCase = Partial<TrainOptions> & { initHead?: InitRequest['head']; noStore?: boolean };
  const bad: [string, string, BadCase, string][] = [
    ['a model that is not published', 'model:nothing', {}, 'init_not_found'],
    ['a version that does not exist', 'model:fm@9.9.9', {}, 'init_not_found'],
    ['a malformed reference', 'model:FM@latest', {}, 'bad_init_ref'],
    ['a reference without a store', 'model:fm', { noStore: true }, 'init_no_store'],
    ['weights whose bytes do not match the manifest', 'model:tampered@1.0.0', {}, 'init_integrity_error'],
    ['a version published without float weights', 'model:no-weights', {}, 'no_float_weights'],
    ['a version of another architecture', 'model:fm', { arch: 'resnet32' }, 'weights_mismatch'],
    ['its head kept for another class count', 'model:fm', { initHead: 'keep' }, 'head_mismatch'],
  ];
  for (const [what, source, { initHead, noStore, ...extra }, code] of bad) {
    it(`refuses ${what} (${code}) and writes no run folder`, async () => {
      const out = join(work, `bad-${code}-${what.length}`);
      const init: InitRequest = { source, head: initHead ?? 'auto', recipe: FROZEN, ...(noStore ? {} : { store }) };
      await expect(train(options(out, { ...extra, init }), quiet)).rejects.toMatchObject({ code });
      expect(existsSync(out)).toBe(false);
    }, 60_000);
  }

  it('CLI: --store without a published --init is a usage error', async () => {
    const never = join(work, 'never');
    const source = join(work, 'source-run');
    const r = await runCli(['train', '--init', source, '--store', storeUrl, '--data', target, '--out', never]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--store applies only with --init model:');
    expect(existsSync(never)).toBe(false);
  });
});
