// `resnet-edge retrain` against a real S3 server: a champion trained, quantized and published; feedback stored
// under the worker's layout (one record corrupt); then challengers that are promoted, published but not
// promoted, and refused by the quantization gate — each leaving a report and a consistent pointer.
import { mkdtempSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { FeedbackRecord } from '@resnet-edge/shared/registry/feedback';
import { feedbackKeys, retrainReportKey } from '@resnet-edge/shared/registry/layout';
import { writeTflite } from '@resnet-edge/shared/tflite/writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetOptions } from '../../train/src/data/dataset.ts';
import { quantizeRun } from '../../train/src/quantize/quantize-run.ts';
import { readPointer } from '@resnet-edge/registry/pointer';
import { publishModel } from '@resnet-edge/registry/publish';
import type { ObjectStore } from '@resnet-edge/registry/store';
import { nextVersion, retrain, type RetrainReport } from '../../train/src/retrain/retrain.ts';
import { train } from '../../train/src/run/trainer.ts';
import { runCli } from '../helpers/cli.ts';
import { s3Fixture, type StoreFixture } from './helpers.ts';
import { miniSubset, MINI_SPEC, tinyRecipe } from './retrain-fixtures.ts';

const CLASSES = ['bag', 'coat', 'sandal', 'trouser'];
const MINI = join(process.cwd(), 'data', 'fashion-mnist-mini');
const SPEC = MINI_SPEC;
const RECIPE = tinyRecipe({ seed: 7 });
const quiet = { isTTY: false, log: () => {} };

let fixture: StoreFixture;
let store: ObjectStore;
let work: string;
let data: DatasetOptions;
let heldOut: DatasetOptions;

let feedbackCount = 0;
async function putFeedback(label: string, file: string, corrupt = false): Promise<void> {
  const bytes = new Uint8Array(await readFile(file));
  const id = `20261124T${String(120000000 + ++feedbackCount)}Z-${createHash('sha256').update(file).digest('hex').slice(0, 12)}`;
  const record: FeedbackRecord = {
    schemaVersion: 1,
    id,
    model: { name: 'fm', version: '1.0.0' },
    label,
    format: 'png',
    sha256: createHash('sha256')
      .update(corrupt ? 'something else' : bytes)
      .digest('hex'),
    size: bytes.byteLength,
    receivedAt: new Date().toISOString(),
    client: '0'.repeat(32),
  };
  const keys = feedbackKeys('fm', id);
  await store.put(keys.image, bytes);
  await store.put(keys.meta, new TextEncoder().encode(JSON.stringify(record)));
}

beforeAll(async () => {
  fixture = await s3Fixture();
  store = fixture.open();
  work = mkdtempSync(join(tmpdir(), 'resnet-edge-retrain-'));
  data = { kind: 'folder', path: miniSubset(CLASSES, 'train', 20, join(work, 'data', 'train')) };
  heldOut = { kind: 'folder', path: miniSubset(CLASSES, 'test', 10, join(work, 'data', 'test')) };
  // The champion, made the way a user makes the first model: train → quantize → publish.
  const run = join(work, 'champion');
  await train(
    {
      ...RECIPE,
      arch: 'resnet20',
      head: 'softmax',
      data: { train: data, test: heldOut, validationFraction: 0.1, preprocess: SPEC },
      out: run,
      resume: false,
    },
    quiet,
  );
  const q = await quantizeRun(
    {
      run,
      calibrationSamples: 50,
      calibration: 'minmax',
      maxDrop: 100,
      out: join(run, 'q'),
      name: 'fm',
      version: '1.0.0',
      writeTflite,
    },
    quiet,
  );
  expect(q.passed).toBe(true);
  await publishModel(store, join(run, 'q'), { by: 'test' });
  // Feedback: six good images (from the training split's unused files) and one whose image does not match its record.
  for (const cls of ['bag', 'coat', 'sandal']) {
    for (const f of readdirSync(join(MINI, 'train', cls))
      .sort()
      .slice(100, 102))
      await putFeedback(cls, join(MINI, 'train', cls, f));
  }
  await putFeedback('bag', join(MINI, 'train', 'bag', readdirSync(join(MINI, 'train', 'bag')).sort()[150]!), true);
}, 300_000);
afterAll(async () => {
  await store?.close();
  await fixture?.stop();
});

const run = (margin: number, maxDrop = 100) =>
  retrain(
    {
      store,
      model: 'fm',
      data,
      heldOut,
      recipe: RECIPE,
      margin,
      maxDrop,
      workdir: mkdtempSync(join(work, 'retrain-')),
      by: 'test',
      writeTflite,
    },
    quiet,
  );

async function storedReport(r: RetrainReport): Promise<RetrainReport> {
  const obj = await store.get(retrainReportKey('fm', r.challenger.version));
  return JSON.parse(new TextDecoder().decode(obj!.bytes)) as RetrainReport;
}

describe('retrain', () => {
  it('promotes a challenger that beats the champion by the margin, trained on base data + feedback', async () => {
    const r = await run(-100);
    expect(r.decision).toBe('promoted');
    expect(r.champion.version).toBe('1.0.0');
    expect(r.challenger.version).toBe('1.1.0');
    expect(r.data).toMatchObject({
      baseImages: 80,
      feedbackImages: 6,
      feedbackPerLabel: { bag: 2, coat: 2, sandal: 2 },
    });
    expect(r.data.feedbackSkipped).toHaveLength(1);
    expect(r.data.feedbackSkipped[0]!.reason).toContain('sha256');
    expect(r.heldOut.samples).toBe(40);
    expect(r.heldOut.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    for (const top1 of [r.champion.int8Top1, r.challenger.int8Top1!]) expect(top1).toBeGreaterThanOrEqual(0);
    expect((await readPointer(store, 'fm'))!.pointer.version).toBe('1.1.0');
    expect(await storedReport(r)).toEqual(r);
  }, 300_000);

  it('publishes but does not promote a challenger that does not beat the margin', async () => {
    const r = await run(100);
    expect(r.decision).toBe('published_not_promoted');
    expect(r.champion.version).toBe('1.1.0');
    expect(r.challenger.version).toBe('1.2.0');
    expect(r.reason).toMatch(/challenger .* vs champion .* margin 100/);
    expect((await readPointer(store, 'fm'))!.pointer.version).toBe('1.1.0');
    expect(await store.head('models/fm/1.2.0/model.tflite')).not.toBeNull();
    expect((await storedReport(r)).decision).toBe('published_not_promoted');
  }, 300_000);

  it('publishes nothing when the challenger fails the quantization gate, and says so', async () => {
    const r = await run(-100, -1000);
    expect(r.decision).toBe('rejected_by_quantization_gate');
    expect(r.challenger.int8Top1).toBeNull();
    expect(await store.head(`models/fm/${r.challenger.version}/manifest.json`)).toBeNull();
    expect((await readPointer(store, 'fm'))!.pointer.version).toBe('1.1.0');
    expect((await storedReport(r)).reason).toContain('nothing published');
  }, 300_000);
});

describe('retrain command', () => {
  it('refuses to start without the model, the data or the held-out set (exit 2, named)', async () => {
    const noModel = await runCli(['retrain', '--data', 'x', '--test-data', 'y']);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toContain('--model');
    const noTest = await runCli(['retrain', '--model', 'fm', '--data', 'data/fashion-mnist-mini/train']);
    expect(noTest.code).toBe(2);
    expect(noTest.stderr).toContain('--test-data');
  });
  it('next minor version after the highest release', () => {
    expect(nextVersion([])).toBe('0.1.0');
    expect(nextVersion(['1.0.0', '1.2.3', '1.0.0-demo.20261124'])).toBe('1.3.0');
    expect(nextVersion(['2.0.0', '10.1.0'])).toBe('10.2.0');
  });
});
