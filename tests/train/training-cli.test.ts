// The train / eval / experiment commands end to end through the real CLI, on the bundled
// Fashion-MNIST sample with a tiny budget (ResNet-20, 200 images, 1 epoch).
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_DATA } from '../../train/src/data/presets.ts';
import { json, runCli } from '../helpers/cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'h5-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('train: flag errors (exit 2, message names the flag)', () => {
  it('an unknown --arch lists the valid ones', async () => {
    const r = await runCli(['train', '--arch', 'resnet21']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown architecture 'resnet21'");
    expect(r.stderr).toMatch(/resnet20.*resnet56.*plain20/);
  });
  it.each([
    [['--augment', 'crop,rotate'], '--augment'],
    [['--optimizer', 'rmsprop'], '--optimizer'],
    [['--epochs', '0'], '--epochs'],
    [['--lr', 'fast'], '--lr'],
    [['--schedule', 'exp'], '--schedule'],
    [['--label-smoothing', '1'], '--label-smoothing'],
    [['--backend', 'tpu'], '--backend'],
    [['--resume'], '--resume'],
  ])('%j is refused', async (flags, name) => {
    const r = await runCli(['train', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(name);
  });
  it('experiment: an unknown experiment name is refused', async () => {
    const r = await runCli(['experiment', 'vanishing']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown experiment 'vanishing'");
  });
});

describe('train → eval → resume on the bundled data', () => {
  const tiny = [
    '--arch',
    'resnet20',
    '--epochs',
    '1',
    '--batch-size',
    '32',
    '--max-train-samples',
    '200',
    '--backend',
    'wasm',
    '--seed',
    '3',
  ];

  it('trains and writes a complete run folder', async () => {
    const out = join(dir, 'run');
    const r = await runCli(['train', ...tiny, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = json(r);
    expect(result.backend).toBe('wasm');
    expect(result.epochs).toBe(1);
    expect(result.test.count).toBe(500);
    expect(result.validation.count).toBe(200);
    expect((await readdir(out)).sort()).toEqual(['checkpoints', 'metrics.json', 'model', 'report.html', 'run.json']);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.backend.name).toBe('wasm');
    expect(metrics.epochs[0].train.images).toBe(200);
    expect(metrics.epochs[0].validation.top5).toBeGreaterThan(metrics.epochs[0].validation.top1);
    expect(metrics.final.test.confusion.length).toBe(10);
    const info = JSON.parse(await readFile(join(out, 'run.json'), 'utf8'));
    expect(info.inputShape).toEqual([28, 28, 1]);
    expect(info.labels.length).toBe(10);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html.match(/<svg /g)!.length).toBe(3);
    // Where the wall time went, phase by phase, the same in --json and metrics.json.
    const phases = result.phases as Record<string, number>;
    expect(metrics.phases).toEqual(phases);
    const names = [
      'startup',
      'data',
      'stepSetup',
      'batch',
      'step',
      'validation',
      'saveBest',
      'checkpoint',
      'finalEval',
    ];
    expect(Object.keys(phases)).toEqual(expect.arrayContaining(names));
    for (const name of ['data', 'step', 'validation', 'checkpoint', 'finalEval']) {
      expect(phases[name], name).toBeGreaterThan(0);
    }
    const summed = Object.entries(phases)
      .filter(([name]) => name !== 'total')
      .reduce((a, [, s]) => a + s, 0);
    expect(phases.total).toBeGreaterThanOrEqual(summed - 0.01);
  });

  it('eval re-evaluates the saved model: same test metrics as training reported', async () => {
    const out = join(dir, 'run');
    const trained = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    const r = await runCli(['eval', '--run', out, '--backend', 'wasm', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const e = json(r);
    expect(e.metrics.count).toBe(500);
    expect(e.metrics.confusion).toEqual(trained.final.test.confusion);
    expect(e.metrics.top1).toBeCloseTo(trained.final.test.top1, 6);
  });

  it('refuses to overwrite a run without --resume', async () => {
    const r = await runCli(['train', ...tiny, '--out', join(dir, 'run'), '--json']);
    expect(r.code).toBe(1);
    expect(json(r).error.code).toBe('run_exists');
  });

  it("refuses to resume on data whose labels differ ('labels_mismatch')", async () => {
    const other = join(dir, 'two-classes');
    const classes = (await readdir(BUNDLED_DATA.train)).sort().slice(0, 2);
    for (const c of classes) await cp(join(BUNDLED_DATA.train, c), join(other, c), { recursive: true });
    const r = await runCli([
      'train',
      ...tiny,
      '--epochs',
      '2',
      '--data',
      other,
      '--out',
      join(dir, 'run'),
      '--resume',
      '--json',
    ]);
    expect(r.code).toBe(1);
    expect(json(r).error.code).toBe('labels_mismatch');
  });

  it('resumes from the checkpoint and trains the remaining epoch', async () => {
    const r = await runCli(['train', ...tiny, '--epochs', '2', '--out', join(dir, 'run'), '--resume', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = json(r);
    expect(result.resumedFromEpoch).toBe(1);
    expect(result.epochs).toBe(2);
  });

  it('an input too small for the architecture is a clear error', async () => {
    const r = await runCli(['train', ...tiny, '--arch', 'resnet50', '--out', join(dir, 'r50'), '--json']);
    expect(r.code).toBe(1);
    expect(json(r).error.code).toBe('input_too_small');
  });

  it('experiment degradation writes one report with a training-error curve per network', async () => {
    const out = join(dir, 'degradation');
    const r = await runCli([
      'experiment',
      'degradation',
      '--archs',
      'plain20,resnet20',
      '--epochs',
      '1',
      '--max-train-samples',
      '64',
      '--batch-size',
      '32',
      '--backend',
      'wasm',
      '--out',
      out,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = json(r);
    expect(result.runs.map((x: { arch: string }) => x.arch)).toEqual(['plain20', 'resnet20']);
    expect(result.budget).toContain('1 epoch(s) × 64 training images');
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(html).toContain('data-name="plain20"');
    expect(html).toContain('data-name="resnet20"');
    expect((await readdir(out)).sort()).toEqual(['plain20', 'report.html', 'resnet20']);
  });
});
