// Every loader on real files: the bundled Fashion-MNIST PNGs, seed-003-like fixtures, real IDX files.
import { cp, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../train/src/data/load.ts';
import { DatasetError } from '../../train/src/data/errors.ts';
import { parseCsv } from '../../train/src/data/csv-parse.ts';
import { parseLabelRule } from '../../train/src/data/filename-rule.ts';
import { BUNDLED_DATA, FASHION_MNIST_LABELS, REPO_ROOT, bundledDatasetOptions } from '../../train/src/data/presets.ts';
import type { Dataset, DatasetOptions } from '../../train/src/data/dataset.ts';

const FIXTURES = join(REPO_ROOT, 'tests/fixtures/datasets');
const SEED003 = join(FIXTURES, 'seed003');
const IDX = join(FIXTURES, 'idx');
const temps: string[] = [];
afterAll(async () => Promise.all(temps.map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'resnet-edge-data-'));
  temps.push(d);
  return d;
}

function perClass(ds: Dataset): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of ds.samples) out[ds.labels[s.label]!] = (out[ds.labels[s.label]!] ?? 0) + 1;
  return out;
}

async function codeOf(options: DatasetOptions): Promise<string> {
  const err = await loadDataset(options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DatasetError);
  return (err as DatasetError).code;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];

describe('folder per class', () => {
  it('loads the bundled training set: 10 classes × 200 PNGs, sorted class names by default', async () => {
    const ds = await loadDataset({ kind: 'folder', path: BUNDLED_DATA.train });
    expect(ds.labels).toEqual([...FASHION_MNIST_LABELS].sort());
    expect(ds.samples).toHaveLength(2000);
    expect(Object.values(perClass(ds))).toEqual(new Array(10).fill(200));
    expect(ds.skipped.count).toBe(0);
    const first = ds.samples[0]!;
    expect(first.id).toMatch(/^ankle_boot\/\d{5}\.png$/);
    expect(first.source.kind).toBe('encoded');
    const bytes = first.source.kind === 'encoded' ? await first.source.read() : new Uint8Array();
    expect([...bytes.subarray(0, 4)]).toEqual(PNG_MAGIC);
  });

  it('honours a given label order (the bundled preset uses Fashion-MNIST order)', async () => {
    const ds = await loadDataset(bundledDatasetOptions('test'));
    expect(ds.labels).toEqual([...FASHION_MNIST_LABELS]);
    expect(ds.samples).toHaveLength(500);
    const bag = ds.samples.find((s) => s.id.startsWith('bag/'))!;
    expect(bag.label).toBe(8);
  });

  it('refuses a class folder outside the given labels, a one-class folder, an empty class, no images', async () => {
    expect(await codeOf({ kind: 'folder', path: BUNDLED_DATA.test, labels: ['bag', 'coat'] })).toBe('unknown_label');

    const one = await tempDir();
    await cp(join(BUNDLED_DATA.test, 'bag'), join(one, 'bag'), { recursive: true });
    expect(await codeOf({ kind: 'folder', path: one })).toBe('single_class');

    await mkdir(join(one, 'coat'));
    await writeFile(join(one, 'coat', 'readme.txt'), 'no images here');
    const err = await loadDataset({ kind: 'folder', path: one }).catch((e: DatasetError) => e);
    expect((err as DatasetError).code).toBe('empty_class');
    expect((err as DatasetError).message).toContain("'coat'");

    const empty = await tempDir();
    expect(await codeOf({ kind: 'folder', path: empty })).toBe('no_images');
    expect(await codeOf({ kind: 'folder', path: join(empty, 'missing') })).toBe('not_found');
  });
});

describe('CSV manifest', () => {
  const csv = join(SEED003, 'Fovea_Location_validation.csv');

  it("loads seed 003's validation file by imgName and Label (BOM, CRLF, quoted cells)", async () => {
    const ds = await loadDataset({ kind: 'csv', path: csv, pathColumn: 'imgName', labelColumn: 'Label' });
    expect(ds.labels).toEqual(['0', '1']);
    expect(ds.samples.map((s) => [s.id, s.label])).toEqual([
      ['N0001.png', 0],
      ['N0002.png', 0],
      ['H0003.png', 0],
      ['P0001.png', 1],
      ['P0002.png', 1],
      ['P0003.png', 1],
    ]);
  });

  it('maps integer label cells onto a given label list, and refuses an unknown label', async () => {
    const ds = await loadDataset({
      kind: 'csv',
      path: csv,
      pathColumn: 'imgName',
      labelColumn: 'Label',
      labels: ['normal', 'myopia'],
    });
    expect(ds.labels).toEqual(['normal', 'myopia']);
    expect(ds.samples.filter((s) => s.label === 1).map((s) => s.id)).toEqual(['P0001.png', 'P0002.png', 'P0003.png']);
    const dir = await tempDir();
    await writeFile(join(dir, 'list.csv'), 'path,label\nN0001.png,normal\nP0001.png,glaucoma\n');
    const options = {
      kind: 'csv',
      path: join(dir, 'list.csv'),
      pathColumn: 'path',
      labelColumn: 'label',
      imageRoot: SEED003,
    } as const;
    expect(await codeOf({ ...options, labels: ['normal', 'myopia'] })).toBe('unknown_label');
    expect((await loadDataset(options)).labels).toEqual(['glaucoma', 'normal']);
  });

  it('resolves paths against --image-root and reports missing files and empty cells', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, 'list.csv'),
      'path,label\nN0001.png,normal\n"P0001.png",myopia\nmissing.png,myopia\n,normal\nnotes.txt,normal\nN0002.png,\n',
    );
    const ds = await loadDataset({
      kind: 'csv',
      path: join(dir, 'list.csv'),
      pathColumn: 'path',
      labelColumn: 'label',
      imageRoot: SEED003,
    });
    expect(ds.labels).toEqual(['myopia', 'normal']);
    expect(ds.samples.map((s) => s.id)).toEqual(['N0001.png', 'P0001.png']);
    expect(ds.skipped.count).toBe(4);
    const reasons = ds.skipped.examples.map((e) => `${e.id}: ${e.reason}`).sort();
    expect(reasons).toEqual(
      [
        'N0002.png: line 7: empty label cell',
        'line 5: empty path cell',
        `missing.png: line 4: file not found under '${SEED003}'`,
        'notes.txt: line 6: not a .png/.jpg/.jpeg/.webp file',
      ].sort(),
    );
  });

  it('refuses a missing column with bad_csv', async () => {
    expect(await codeOf({ kind: 'csv', path: csv, pathColumn: 'image', labelColumn: 'Label' })).toBe('bad_csv');
  });

  it('parses quotes, escaped quotes, embedded commas and newlines', () => {
    expect(parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\n"multi\nline",2\n\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['multi\nline', '2'],
    ]);
    expect(() => parseCsv('a,"open\n')).toThrow(DatasetError);
  });
});

describe('labels from a file-name rule', () => {
  it("labels seed 003's N…/H… as normal and P… as myopia, skipping files no rule matches", async () => {
    const rules = [parseLabelRule('^[NH]=normal'), parseLabelRule('^P=myopia')];
    const ds = await loadDataset({ kind: 'filename-rule', path: SEED003, rules });
    expect(ds.labels).toEqual(['normal', 'myopia']);
    expect(perClass(ds)).toEqual({ normal: 3, myopia: 3 });
    expect(ds.samples.find((s) => s.id === 'H0003.png')?.label).toBe(0);
    expect(ds.skipped).toEqual({
      count: 1,
      examples: [{ id: 'X0001.png', reason: 'no label rule matches the file name' }],
    });
  });

  it('parses REGEX=LABEL on the last "=" and refuses malformed rules', () => {
    expect(parseLabelRule('^a=b=c')).toEqual({ pattern: '^a=b', label: 'c' });
    for (const bad of ['^P', '=myopia', '^P=', '([=x']) {
      expect(() => parseLabelRule(bad), bad).toThrow(expect.objectContaining({ code: 'bad_label_rule' }));
    }
  });

  it('refuses rules that leave a class empty or name one class', async () => {
    const rules = [parseLabelRule('^[NH]=normal'), parseLabelRule('^Z=other')];
    expect(await codeOf({ kind: 'filename-rule', path: SEED003, rules })).toBe('empty_class');
    expect(await codeOf({ kind: 'filename-rule', path: SEED003, rules: [parseLabelRule('.=all')] })).toBe(
      'single_class',
    );
  });
});

describe('IDX files', () => {
  const gz = {
    kind: 'idx',
    path: join(IDX, 't10k-50-images-idx3-ubyte.gz'),
    labelsPath: join(IDX, 't10k-50-labels-idx1-ubyte.gz'),
  } as const;
  const raw = {
    kind: 'idx',
    path: join(IDX, 't10k-20-images-idx3-ubyte'),
    labelsPath: join(IDX, 't10k-20-labels-idx1-ubyte'),
  } as const;

  it('reads gzipped and uncompressed files to the same raw 28×28 images', async () => {
    const a = await loadDataset({ ...gz, labels: [...FASHION_MNIST_LABELS] });
    const b = await loadDataset(raw);
    expect(a.samples).toHaveLength(50);
    expect(b.samples).toHaveLength(20);
    expect(b.labels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    // Fashion-MNIST's first test labels: ankle boot, pullover, trouser, trouser, shirt.
    expect(a.samples.slice(0, 5).map((s) => a.labels[s.label])).toEqual([
      'ankle_boot',
      'pullover',
      'trouser',
      'trouser',
      'shirt',
    ]);
    for (let i = 0; i < 20; i++) {
      const sa = a.samples[i]!.source;
      const sb = b.samples[i]!.source;
      if (sa.kind !== 'raw' || sb.kind !== 'raw') throw new Error('IDX samples must be raw');
      expect(sa.image).toMatchObject({ width: 28, height: 28, channels: 1 });
      expect(sa.image.data).toEqual(sb.image.data);
      expect(a.samples[i]!.label).toBe(b.samples[i]!.label);
    }
  });

  it('refuses bad magic, mismatched counts, truncated data and too few label names', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'bad-images'), Buffer.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0]));
    expect(await codeOf({ ...raw, path: join(dir, 'bad-images') })).toBe('bad_idx_magic');
    expect(await codeOf({ ...raw, labelsPath: gz.labelsPath })).toBe('idx_count_mismatch');
    const { readFile } = await import('node:fs/promises');
    const full = await readFile(raw.path);
    await writeFile(join(dir, 'cut-images'), full.subarray(0, full.length - 100));
    expect(await codeOf({ ...raw, path: join(dir, 'cut-images') })).toBe('idx_truncated');
    expect(await codeOf({ ...raw, labels: ['a', 'b'] })).toBe('unknown_label');
    expect(await codeOf({ ...raw, path: join(dir, 'nope') })).toBe('not_found');
  });
});
