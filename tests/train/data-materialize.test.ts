// materialize(): datasets → NHWC tensors through the shared preprocessing, with bad files skipped and reported.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprint, loadDataset, materialize } from '../../train/src/data/dataset.ts';
import {
  BUNDLED_DATA,
  FASHION_MNIST_LABELS,
  FASHION_MNIST_MEAN,
  FASHION_MNIST_STD,
  REPO_ROOT,
  bundledDatasetOptions,
  fashionMnistSpec,
} from '../../train/src/data/presets.ts';

const temps: string[] = [];
afterAll(async () => Promise.all(temps.map((d) => rm(d, { recursive: true, force: true }))));

describe('materialize', () => {
  it('turns the bundled test set into 500 normalised 28×28×1 tensors with the right labels', async () => {
    const ds = await loadDataset(bundledDatasetOptions('test'));
    const progress: number[] = [];
    const m = await materialize(ds, fashionMnistSpec, { onProgress: (done) => progress.push(done) });
    expect(m.count).toBe(500);
    expect(m.shape).toEqual([28, 28, 1]);
    expect(m.x).toHaveLength(500 * 28 * 28);
    expect(m.skipped.count).toBe(0);
    expect(progress.at(-1)).toBe(500);
    const perClass = new Array(10).fill(0);
    for (const label of m.y) perClass[label]++;
    expect(perClass).toEqual(new Array(10).fill(50));
    expect(
      m.ids.filter((id, i) => id.startsWith('sandal/') && m.y[i] === FASHION_MNIST_LABELS.indexOf('sandal')),
    ).toHaveLength(50);
    // Normalised with the training set's own statistics: a black pixel maps to -mean/std.
    let min = Infinity;
    for (const v of m.x) min = Math.min(min, v);
    expect(min).toBeCloseTo(-FASHION_MNIST_MEAN / FASHION_MNIST_STD, 5);
  });

  it('gives the same tensors for a PNG and for the IDX image it was written from', async () => {
    const idx = join(REPO_ROOT, 'tests/fixtures/datasets/idx');
    const raw = await loadDataset({
      kind: 'idx',
      path: join(idx, 't10k-20-images-idx3-ubyte'),
      labelsPath: join(idx, 't10k-20-labels-idx1-ubyte'),
      labels: [...FASHION_MNIST_LABELS],
    });
    // Test image 0 is an ankle boot; the bundled test PNG ankle_boot/00000.png is that image.
    const fromIdx = await materialize({ ...raw, samples: raw.samples.slice(0, 1) }, fashionMnistSpec);
    const png = await loadDataset(bundledDatasetOptions('test'));
    const fromPng = await materialize(
      { ...png, samples: png.samples.filter((s) => s.id === 'ankle_boot/00000.png') },
      fashionMnistSpec,
    );
    expect(fromPng.count).toBe(1);
    expect(fromIdx.y[0]).toBe(fromPng.y[0]);
    expect(fromIdx.x).toEqual(fromPng.x);
  });

  it('skips and reports corrupt, truncated and unreadable files instead of crashing', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'resnet-edge-skip-'));
    temps.push(copy);
    await cp(join(BUNDLED_DATA.test, 'bag'), join(copy, 'bag'), { recursive: true });
    await cp(join(BUNDLED_DATA.test, 'coat'), join(copy, 'coat'), { recursive: true });
    await writeFile(join(copy, 'bag', 'corrupt.png'), 'this is not a png at all');
    const good = await readFile(join(copy, 'coat', (await readdir(join(copy, 'coat'))).sort()[0]!));
    await writeFile(join(copy, 'coat', 'truncated.png'), good.subarray(0, 40));
    await writeFile(join(copy, 'coat', 'empty.png'), new Uint8Array());
    const ds = await loadDataset({ kind: 'folder', path: copy });
    expect(ds.samples).toHaveLength(103);
    const vanished = ds.samples.find((s) => s.id.startsWith('bag/0'))!.id;
    await rm(join(copy, vanished)); // deleted after listing: unreadable at materialize time
    const m = await materialize(ds, fashionMnistSpec);
    expect(m.count).toBe(99);
    expect(m.x).toHaveLength(99 * 28 * 28);
    expect(m.skipped.count).toBe(4);
    const reasons = Object.fromEntries(m.skipped.examples.map((e) => [e.id, e.reason]));
    expect(Object.keys(reasons).sort()).toEqual(
      [vanished, 'bag/corrupt.png', 'coat/empty.png', 'coat/truncated.png'].sort(),
    );
    expect(reasons[vanished]).toMatch(/^unreadable: /);
    expect(reasons['bag/corrupt.png']).toMatch(/^unsupported_format: /);
    expect(reasons['coat/empty.png']).toMatch(/^empty_image: /);
    expect(reasons['coat/truncated.png']).toMatch(/^corrupt_image: /);
    // An unreadable file still fingerprints (as unreadable) rather than throwing.
    expect(await fingerprint(ds)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('throws on an inconsistent spec instead of skipping every image', async () => {
    const ds = await loadDataset(bundledDatasetOptions('test'));
    const bad = { ...fashionMnistSpec, normalize: { kind: 'mean_std' as const, mean: [0.5, 0.5], std: [0.5, 0.5] } };
    await expect(materialize({ ...ds, samples: ds.samples.slice(0, 3) }, bad)).rejects.toMatchObject({
      code: 'invalid_spec',
    });
  });
});
