// `resnet-edge quantize` through the real CLI on a run folder written the way the trainer writes it
// (run.json + TF.js model), with the bundled Fashion-MNIST sample as its data.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { sha256Hex } from '@resnet-edge/shared/hash';
import { parseManifestBytes } from '@resnet-edge/shared/registry/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, materialize } from '../../train/src/data/dataset.ts';
import { bundledDatasetOptions, fashionMnistSpec, FASHION_MNIST_LABELS } from '../../train/src/data/presets.ts';
import { buildModel } from '../../train/src/models/index.ts';
import { saveModel } from '../../train/src/io/model-io.ts';
import { ensureBackend } from '../../train/src/run/trainer.ts';
import { RUN_FILES, writeRunInfo } from '../../train/src/run/run-folder.ts';
import { json, runCli } from '../helpers/cli.ts';
import { fitCentroidHead } from './helpers/centroid-head.ts';

let dir: string;

beforeAll(async () => {
  // The command runs in this process: pick its backend before any tensor exists, as the CLI would.
  await ensureBackend('cpu', () => {});
  dir = await mkdtemp(join(tmpdir(), 'quantize-cli-'));
  const ds = await loadDataset(bundledDatasetOptions('train'));
  const m = await materialize({ ...ds, samples: ds.samples.filter((_, i) => i % 8 === 0) }, fashionMnistSpec);
  const x = tf.tensor4d(m.x, [m.count, ...m.shape]);
  // LeNet keeps this end-to-end test fast; ResNet-20's int8 fidelity is tested in quantize-accuracy.test.ts.
  const model = buildModel('lenet', { inputShape: [28, 28, 1], numClasses: 10 });
  fitCentroidHead(model, x, m.y, 10);
  x.dispose();
  await saveModel(model, join(dir, RUN_FILES.model));
  model.dispose();
  await writeRunInfo(dir, {
    arch: 'lenet',
    inputShape: [28, 28, 1],
    numClasses: 10,
    labels: [...FASHION_MNIST_LABELS],
    head: 'softmax',
    preprocess: fashionMnistSpec,
    data: {
      train: bundledDatasetOptions('train'),
      test: bundledDatasetOptions('test'),
      validationFraction: 0.1,
      seed: 1,
    },
    dataFingerprint: 'test-fixture',
    backend: 'cpu',
    epochs: 0,
    createdAt: new Date().toISOString(),
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('resnet-edge quantize', () => {
  it('writes model.tflite + a valid manifest when the gate passes, and reports float vs int8', async () => {
    const out = join(dir, 'q-pass');
    const r = await runCli([
      'quantize',
      '--run',
      dir,
      '--out',
      out,
      '--calibration-samples',
      '64',
      '--max-drop',
      '100',
      '--backend',
      'cpu',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const res = json(r);
    expect(res.passed).toBe(true);
    expect(res.comparison.samples).toBeGreaterThan(100);
    expect(res.comparison.agreement).toBeGreaterThan(0.8);
    expect(res.sizes.ratio).toBeGreaterThan(3);
    // The size breakdown accounts for every byte of the written file; int8 weights are a quarter of float32.
    const t = res.sizes.tflite;
    expect(t.int8WeightBytes + t.int32BiasBytes + t.quantParamBytes + t.structureBytes).toBe(res.sizes.int8Bytes);
    expect(t.float32WeightBytes).toBe(4 * (t.int8WeightBytes + t.int32BiasBytes / 4));
    expect(t.structureBytes).toBeGreaterThan(0);
    expect(res.sizes.weightsRatio).toBeCloseTo(t.float32WeightBytes / res.sizes.int8Bytes, 10);
    const tflite = new Uint8Array(await readFile(join(out, 'model.tflite')));
    const manifest = parseManifestBytes(await readFile(join(out, 'manifest.json')), 'manifest.json');
    expect(manifest.files['model.tflite']).toEqual({ sha256: await sha256Hex(tflite), size: tflite.byteLength });
    expect(manifest).toMatchObject({
      arch: 'lenet',
      inputShape: [1, 28, 28, 1],
      outputActivation: 'softmax',
      calibration: { method: 'minmax', samples: 64 },
    });
    expect(manifest.accuracy.int8!.top1).toBeCloseTo(res.comparison.int8Top1, 10);
    // The TFLite identifier sits at bytes 4..8 of a flatbuffer.
    expect(new TextDecoder().decode(tflite.subarray(4, 8))).toBe('TFL3');
  });

  it('exits 1 with accuracy_gate and writes nothing when int8 loses more than --max-drop', async () => {
    const out = join(dir, 'q-fail');
    // Keeping only the middle of every activation's distribution destroys the model on purpose.
    const r = await runCli([
      'quantize',
      '--run',
      dir,
      '--out',
      out,
      '--calibration-samples',
      '32',
      '--calibration',
      'percentile',
      '--percentile',
      '51',
      '--max-drop',
      '0.5',
      '--backend',
      'cpu',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('accuracy_gate');
    expect(r.stderr).toMatch(/top-1\s+float .* int8 .* drop/);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 without --run', async () => {
    const r = await runCli(['quantize']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--run');
  });
});
