import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDegradationReport, renderRunReport } from '../../train/src/report/report.ts';
import type { MetricsDocument } from '../../train/src/training/metrics-doc.ts';
import { trainLoop } from '../../train/src/training/loop.ts';
import { evaluate } from '../../train/src/training/metrics.ts';
import { bandImages, tinyModel } from './training-fixtures.ts';

let dir: string;
let doc: MetricsDocument;
const labels = ['top <band>', 'middle & co', 'bottom'];

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'h5-report-'));
  const model = tinyModel(21);
  const data = { train: bandImages(60, 3, 8, 1), validation: bandImages(30, 3, 8, 2) };
  const r = await trainLoop(
    model,
    data,
    {
      arch: 'tiny',
      labels,
      head: 'softmax',
      epochs: 3,
      batchSize: 16,
      lr: 0.01,
      schedule: 'constant',
      warmupEpochs: 0,
      optimizer: { kind: 'adam', momentum: 0, weightDecay: 0 },
      labelSmoothing: 0,
      augment: { kinds: [] },
      seed: 1,
      patience: 0,
    },
    join(dir, 'ckpt'),
    false,
  );
  doc = {
    version: 1,
    arch: 'tiny',
    labels,
    backend: { name: 'cpu', tfBackend: 'cpu', detail: 'pure JS' },
    recipe: { lr: 0.01 },
    epochs: r.history,
    best: r.best,
    stopped: r.stopped,
    final: { validation: await evaluate(model, data.validation, labels, 'softmax'), test: null },
    trainImagesPerSecond: 123.4,
    finishedAt: '2026-11-24T12:00:00Z',
  };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('report.html', () => {
  it('is one self-contained page: curves and a labelled confusion heat-map as inline SVG, a per-class table', () => {
    const html = renderRunReport(doc);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|href=/i); // nothing external, nothing executable
    expect(html.match(/<svg /g)!.length).toBe(3); // loss, accuracy, confusion matrix
    expect(html).toContain('<title>Loss</title>');
    expect(html).toContain('<title>Top-1 accuracy</title>');
    expect(html).toContain('class="heatmap"');
    // one training and one validation series in each chart, with a point per epoch
    expect(html.match(/class="series" data-name="training loss"/g)!.length).toBe(1);
    expect(html.match(/class="series" data-name="validation top-1"/g)!.length).toBe(1);
    // 3×3 cells, labels escaped
    expect(html.match(/<rect [^>]*><title>actual /g)!.length).toBe(9);
    expect(html).toContain('top &lt;band&gt;');
    expect(html).toContain('middle &amp; co');
    expect(html).not.toContain('top <band>');
    expect(html).toContain('class="per-class"');
  });

  it('the heat-map cells carry the confusion counts of the validation set', () => {
    const html = renderRunReport(doc);
    const counts = [...html.matchAll(/<title>actual [^,]+, predicted [^:]+: (\d+)<\/title>/g)].map((m) => Number(m[1]));
    expect(counts).toEqual(doc.final.validation!.confusion.flat());
    expect(counts.reduce((a, b) => a + b, 0)).toBe(30);
  });

  it('the degradation report draws one training-error curve per architecture', () => {
    const html = renderDegradationReport(
      ['plain20', 'plain56', 'resnet20', 'resnet56'].map((arch) => ({ arch, doc: { ...doc, arch } })),
      '3 epochs × 60 images',
    );
    expect(html).toContain('<title>Training error</title>');
    for (const a of ['plain20', 'plain56', 'resnet20', 'resnet56']) expect(html).toContain(`data-name="${a}"`);
    expect(html.match(/data-name="plain56"/g)!.length).toBe(3); // error, loss, validation charts
    expect(html).toContain('3 epochs × 60 images');
  });
});
