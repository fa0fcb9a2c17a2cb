import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, saveModel } from '../../train/src/io/model-io.ts';
import { readRun, writeRunInfo, type RunInfo } from '../../train/src/run/run-folder.ts';
import { loadCheckpoint, saveCheckpoint } from '../../train/src/training/checkpoint.ts';
import { Optimizer } from '../../train/src/training/optimizer.ts';
import { trainableVariables } from '../../train/src/training/step.ts';
import { tinyModel } from './training-fixtures.ts';

let dir: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'h5-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const weightsOf = (m: { getWeights(): tf.Tensor[] }) => m.getWeights().map((w) => Array.from(w.dataSync()));

describe('model files', () => {
  it('saves model.json + weights.bin in TF.js layers format and loads them back identically', async () => {
    const model = tinyModel(11);
    await saveModel(model, join(dir, 'm'));
    expect((await readdir(join(dir, 'm'))).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(dir, 'm', 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const back = await loadModel(join(dir, 'm'));
    expect(weightsOf(back)).toEqual(weightsOf(model));
    const x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 3);
    expect(Array.from((back.predict(x) as tf.Tensor).dataSync())).toEqual(
      Array.from((model.predict(x) as tf.Tensor).dataSync()),
    );
  });

  it('readRun returns info, model and metrics; a missing run is a clear error', async () => {
    const run = join(dir, 'run');
    const model = tinyModel(12);
    await saveModel(model, join(run, 'model'));
    const info = {
      arch: 'tiny',
      inputShape: [8, 8, 1],
      numClasses: 3,
      labels: ['a', 'b', 'c'],
      head: 'softmax',
      epochs: 1,
    } as unknown as RunInfo;
    await writeRunInfo(run, info);
    await writeFile(join(run, 'metrics.json'), '{"version":1}');
    const got = await readRun(run);
    expect(got.info.labels).toEqual(['a', 'b', 'c']);
    expect(got.metrics).toEqual({ version: 1 });
    expect(weightsOf(got.model)).toEqual(weightsOf(model));
    await expect(readRun(join(dir, 'nothing-here'))).rejects.toMatchObject({ code: 'run_not_found' });
  });
});

function canMountTmpfs(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!canMountTmpfs())('checkpoint on a full disk (real 96 KiB tmpfs)', () => {
  const mnt = join(tmpdir(), `h5-full-${process.pid}`);
  beforeAll(async () => {
    await mkdir(mnt, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=96k', 'tmpfs', mnt]);
  });
  afterAll(async () => {
    execFileSync('umount', [mnt]);
    await rm(mnt, { recursive: true, force: true });
  });

  it("fails with 'checkpoint_failed', keeps the previous checkpoint intact and leaves no half file", async () => {
    const model = tinyModel(13);
    const opt = new Optimizer({ kind: 'adam', momentum: 0, weightDecay: 0 }, trainableVariables(model));
    const ckpt = join(mnt, 'checkpoints', 'last');
    const state = {
      epoch: 1,
      step: 10,
      rng: [1, 2, 3, 4] as [number, number, number, number],
      arch: 'tiny',
      labels: ['a', 'b', 'c'],
      best: null,
      sinceBest: 0,
      history: [],
    };
    await saveCheckpoint(ckpt, model, opt, state);
    const before = await readdir(ckpt);

    // Fill the disk, change the weights, try again.
    await writeFile(join(mnt, 'filler'), new Uint8Array(200 * 1024)).catch(() => {});
    const changed = tinyModel(14);
    await expect(saveCheckpoint(ckpt, changed, opt, { ...state, epoch: 2 })).rejects.toMatchObject({
      code: 'checkpoint_failed',
      message: expect.stringContaining('no space left on device'),
    });
    expect(await readdir(ckpt)).toEqual(before);
    expect((await readdir(join(mnt, 'checkpoints'))).filter((e) => e !== 'last')).toEqual([]);

    const restored = tinyModel(15);
    const opt2 = new Optimizer({ kind: 'adam', momentum: 0, weightDecay: 0 }, trainableVariables(restored));
    const st = await loadCheckpoint(ckpt, restored, opt2);
    expect(st.epoch).toBe(1);
    expect(weightsOf(restored)).toEqual(weightsOf(model));
  });
});

describe('recovery after a crash in the middle of a checkpoint', () => {
  it('puts a checkpoint moved aside back in place and removes abandoned temporaries', async () => {
    const { recoverDir } = await import('../../train/src/io/atomic.ts');
    const { readCheckpointState } = await import('../../train/src/training/checkpoint.ts');
    const root = join(dir, 'crash', 'checkpoints');
    const model = tinyModel(16);
    const opt = new Optimizer({ kind: 'sgd', momentum: 0.9, weightDecay: 0 }, trainableVariables(model));
    const state = {
      epoch: 4,
      step: 40,
      rng: [1, 2, 3, 4] as [number, number, number, number],
      arch: 'tiny',
      labels: ['a'],
      best: null,
      sinceBest: 0,
      history: [],
    };
    await saveCheckpoint(join(root, 'last'), model, opt, state);
    // The crash: the old checkpoint was renamed aside, the new one was half written, then the process died.
    const { rename } = await import('node:fs/promises');
    await rename(join(root, 'last'), join(root, '.last.tmp-1-1.old'));
    await mkdir(join(root, '.last.tmp-1-1'));
    await writeFile(join(root, '.last.tmp-1-1', 'weights.bin'), new Uint8Array(10));
    expect((await readCheckpointState(join(root, 'last')))?.epoch).toBe(4);
    expect((await readdir(root)).sort()).toEqual(['last']);
    await recoverDir(join(root, 'last')); // idempotent
    expect((await readdir(root)).sort()).toEqual(['last']);
  });
});
