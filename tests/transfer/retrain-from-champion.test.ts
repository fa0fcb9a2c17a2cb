// Item 5 of issue 15 against a real S3 server: quantize writes the float weights beside the int8 model, publish
// stores them immutably with their sha256 in the manifest, and `retrain --from champion` starts the challenger
// from exactly those weights (a frozen backbone stays bit-identical to the champion's), saying so in its report.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '@resnet-edge/shared/hash';
import { writeTflite } from '@resnet-edge/shared/tflite/writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetOptions } from '../../train/src/data/dataset.ts';
import { quantizeRun } from '../../train/src/quantize/quantize-run.ts';
import { publishModel } from '@resnet-edge/registry/publish';
import type { ObjectStore } from '@resnet-edge/registry/store';
import { retrain } from '../../train/src/retrain/retrain.ts';
import { readRunInfo } from '../../train/src/run/run-folder.ts';
import { train } from '../../train/src/run/trainer.ts';
import { readSafetensors } from '../../train/src/transfer/safetensors.ts';
import { s3Fixture, type StoreFixture } from '../registry/helpers.ts';
import { miniSubset, MINI_SPEC, tinyRecipe } from '../registry/retrain-fixtures.ts';

const CLASSES = ['bag', 'coat', 'sandal'];
const SPEC = MINI_SPEC;
const RECIPE = tinyRecipe({ schedule: 'constant', seed: 5, backend: 'wasm' });
const quiet = { isTTY: false, log: () => {} };

let fixture: StoreFixture;
let store: ObjectStore;
let work: string;
let data: DatasetOptions;
let heldOut: DatasetOptions;
let quantized: string;

beforeAll(async () => {
  fixture = await s3Fixture();
  store = fixture.open();
  work = mkdtempSync(join(tmpdir(), 'resnet-edge-champion-'));
  data = { kind: 'folder', path: miniSubset(CLASSES, 'train', 12, join(work, 'train')) };
  heldOut = { kind: 'folder', path: miniSubset(CLASSES, 'test', 6, join(work, 'test')) };
  const run = join(work, 'champion');
  await train(
    {
      ...RECIPE,
      arch: 'resnet20',
      head: 'softmax',
      data: { train: data, test: heldOut, validationFraction: 0, preprocess: SPEC },
      out: run,
      resume: false,
    },
    quiet,
  );
  quantized = join(run, 'q');
  const q = await quantizeRun(
    {
      run,
      calibrationSamples: 20,
      calibration: 'minmax',
      maxDrop: 100,
      out: quantized,
      name: 'fm',
      version: '1.0.0',
      writeTflite,
    },
    quiet,
  );
  expect(q.passed).toBe(true);
}, 300_000);
afterAll(async () => {
  await store?.close();
  await fixture?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('float weights beside the int8 model', () => {
  it('are listed in the manifest with sha256, published immutably, and read back whole', async () => {
    const manifest = JSON.parse(readFileSync(join(quantized, 'manifest.json'), 'utf8'));
    const bytes = new Uint8Array(readFileSync(join(quantized, 'weights.safetensors')));
    expect(manifest.files['weights.safetensors']).toEqual({ sha256: await sha256Hex(bytes), size: bytes.byteLength });
    const meta = readSafetensors(bytes).metadata;
    expect(meta).toMatchObject({ format: 'resnet-edge-weights', arch: 'resnet20', padding: 'same' });
    expect(JSON.parse(meta['labels']!)).toEqual(CLASSES);
    const published = await publishModel(store, quantized, { by: 'test' });
    expect(published.files.map((f) => f.key)).toContain('models/fm/1.0.0/weights.safetensors');
    const stored = await store.get('models/fm/1.0.0/weights.safetensors');
    expect(await sha256Hex(stored!.bytes)).toBe(manifest.files['weights.safetensors'].sha256);
  });

  it("retrain --from champion fine-tunes the champion: the frozen backbone is the champion's, bit for bit; the report says so", async () => {
    const workdir = join(work, 'retrain');
    const r = await retrain(
      {
        store,
        model: 'fm',
        data,
        heldOut,
        recipe: RECIPE,
        margin: -100,
        maxDrop: 100,
        workdir,
        by: 'test',
        writeTflite,
        from: 'champion',
        fineTune: { freeze: { kind: 'backbone' }, unfreezeAt: 0, backboneLr: 1, batchNorm: 'frozen' },
      },
      quiet,
    );
    const championWeights = await store.get('models/fm/1.0.0/weights.safetensors');
    expect(r.challenger.start).toEqual({
      from: 'champion',
      version: '1.0.0',
      weightsSha256: await sha256Hex(championWeights!.bytes),
      freeze: 'backbone',
      batchNorm: 'frozen',
    });
    expect((await readRunInfo(join(workdir, 'run'))).init).toMatchObject({
      format: 'resnet-edge-weights',
      head: 'keep',
    });
    const champion = readSafetensors(championWeights!.bytes).tensors;
    const challenger = readSafetensors(
      (await store.get(`models/fm/${r.challenger.version}/weights.safetensors`))!.bytes,
    ).tensors;
    expect(Array.from(challenger.get('conv3_block2_2_conv/kernel')!.data)).toEqual(
      Array.from(champion.get('conv3_block2_2_conv/kernel')!.data),
    );
    expect(Array.from(challenger.get('predictions/kernel')!.data)).not.toEqual(
      Array.from(champion.get('predictions/kernel')!.data),
    );
  }, 300_000);

  it('retrain --from champion refuses a champion published without float weights (no_float_weights)', async () => {
    const old = join(work, 'old-version');
    cpSync(quantized, old, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(old, 'manifest.json'), 'utf8'));
    delete manifest.files['weights.safetensors'];
    manifest.version = '0.9.0';
    writeFileSync(join(old, 'manifest.json'), JSON.stringify(manifest));
    rmSync(join(old, 'weights.safetensors'));
    await publishModel(store, old, { by: 'test', name: 'old' });
    await expect(
      retrain(
        {
          store,
          model: 'old',
          data,
          heldOut,
          recipe: RECIPE,
          margin: 0,
          maxDrop: 100,
          workdir: join(work, 'retrain-old'),
          by: 'test',
          writeTflite,
          from: 'champion',
        },
        quiet,
      ),
    ).rejects.toMatchObject({ code: 'no_float_weights' });
  }, 60_000);
});
