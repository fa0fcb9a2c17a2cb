// The stratified split and the dataset fingerprint, on the bundled Fashion-MNIST sample.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../train/src/data/load.ts';
import { splitDataset } from '../../train/src/data/split.ts';
import { fingerprint } from '../../train/src/data/fingerprint.ts';
import { describeDataset, summarize } from '../../train/src/data/summary.ts';
import { BUNDLED_DATA, REPO_ROOT, bundledDatasetOptions } from '../../train/src/data/presets.ts';
import type { Dataset } from '../../train/src/data/dataset.ts';

let ds: Dataset;
const temps: string[] = [];
beforeAll(async () => {
  ds = await loadDataset(bundledDatasetOptions('train'));
});
afterAll(async () => Promise.all(temps.map((d) => rm(d, { recursive: true, force: true }))));

function counts(d: Dataset): number[] {
  const c = new Array<number>(d.labels.length).fill(0);
  for (const s of d.samples) c[s.label]!++;
  return c;
}

describe('splitDataset', () => {
  it('keeps class proportions and loses or duplicates nothing', () => {
    const { train, validation } = splitDataset(ds, { validationFraction: 0.1, seed: 7 });
    expect(summarize(validation).perClass).toMatchObject({ 't-shirt_top': 20, ankle_boot: 20 });
    expect(describeDataset(train)).toBe('train (train split): 1800 images, 10 classes (180–180 per class), 0 skipped');
    expect(counts(validation)).toEqual(new Array(10).fill(20));
    expect(counts(train)).toEqual(new Array(10).fill(180));
    const ids = new Set([...train.samples, ...validation.samples].map((s) => s.id));
    expect(ids.size).toBe(2000);
    expect(train.labels).toEqual(ds.labels);
  });

  it('is deterministic per seed, differs between seeds, and ignores the listing order', () => {
    const ids = (d: Dataset) => d.samples.map((s) => s.id);
    const a = splitDataset(ds, { validationFraction: 0.2, seed: 1 });
    const b = splitDataset(ds, { validationFraction: 0.2, seed: 1 });
    const c = splitDataset(ds, { validationFraction: 0.2, seed: 2 });
    expect(ids(a.validation)).toEqual(ids(b.validation));
    expect(ids(a.validation)).not.toEqual(ids(c.validation));
    const reversed = splitDataset({ ...ds, samples: [...ds.samples].reverse() }, { validationFraction: 0.2, seed: 1 });
    expect(new Set(ids(reversed.validation))).toEqual(new Set(ids(a.validation)));
  });

  it('keeps a training image in every class and refuses a fraction outside [0, 1)', () => {
    const tiny = { ...ds, samples: ds.samples.filter((_, i) => i % 100 === 0) }; // 2 per class
    const { train, validation } = splitDataset(tiny, { validationFraction: 0.9, seed: 3 });
    expect(counts(train)).toEqual(new Array(10).fill(1));
    expect(counts(validation)).toEqual(new Array(10).fill(1));
    expect(splitDataset(ds, { validationFraction: 0, seed: 3 }).validation.samples).toHaveLength(0);
    expect(() => splitDataset(ds, { validationFraction: 1, seed: 3 })).toThrow(
      expect.objectContaining({ code: 'bad_split' }),
    );
  });
});

describe('fingerprint', () => {
  it('is stable across loads and listing order, and changes with content, labels or membership', async () => {
    const test = await loadDataset(bundledDatasetOptions('test'));
    const fp = await fingerprint(test);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(await fingerprint(await loadDataset(bundledDatasetOptions('test')))).toBe(fp);
    expect(await fingerprint({ ...test, samples: [...test.samples].reverse() })).toBe(fp);
    expect(await fingerprint({ ...test, samples: test.samples.slice(1) })).not.toBe(fp);
    expect(await fingerprint({ ...test, labels: [...test.labels].reverse() })).not.toBe(fp);

    // One changed byte in one file changes it.
    const copy = await mkdtemp(join(tmpdir(), 'resnet-edge-fp-'));
    temps.push(copy);
    await cp(BUNDLED_DATA.test, copy, { recursive: true });
    const options = { ...bundledDatasetOptions('test'), path: copy };
    expect(await fingerprint(await loadDataset(options))).toBe(fp);
    await writeFile(join(copy, 'bag', 'changed.png'), 'not really a png');
    expect(await fingerprint(await loadDataset(options))).not.toBe(fp);
  });

  it('covers raw IDX pixels', async () => {
    const idx = join(REPO_ROOT, 'tests/fixtures/datasets/idx');
    const load = () =>
      loadDataset({
        kind: 'idx',
        path: join(idx, 't10k-20-images-idx3-ubyte'),
        labelsPath: join(idx, 't10k-20-labels-idx1-ubyte'),
      });
    const a = await load();
    const fp = await fingerprint(a);
    expect(await fingerprint(await load())).toBe(fp);
    const first = a.samples[0]!.source;
    if (first.kind !== 'raw') throw new Error('IDX samples must be raw');
    const data = first.image.data.slice();
    data[100] = (data[100]! + 1) & 255;
    const changed = {
      ...a,
      samples: [
        { ...a.samples[0]!, source: { kind: 'raw' as const, image: { ...first.image, data } } },
        ...a.samples.slice(1),
      ],
    };
    expect(await fingerprint(changed)).not.toBe(fp);
  });
});
