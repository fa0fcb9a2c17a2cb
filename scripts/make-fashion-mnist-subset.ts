// Writes the bundled Fashion-MNIST sample: the first N images of each class (in IDX order, so the result
// is deterministic) as 8-bit grayscale PNGs in a folder per class, plus the dataset's licence.
//
//   npx tsx scripts/make-fashion-mnist-subset.ts [--train-per-class 200] [--test-per-class 50]
//       [--source /usr/share/datasets/fashion-mnist] [--out data/fashion-mnist-mini]
//
// The IDX files come from the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist).
// File names are the image's index in the IDX file, zero-padded, so each PNG can be traced to its origin.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { encode } from 'fast-png';
import { loadIdxDataset } from '../train/src/data/idx.ts';
import { FASHION_MNIST_LABELS, REPO_ROOT } from '../train/src/data/presets.ts';
import type { Dataset } from '../train/src/data/dataset.ts';

const { values } = parseArgs({
  options: {
    'train-per-class': { type: 'string', default: '200' },
    'test-per-class': { type: 'string', default: '50' },
    source: { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
    out: { type: 'string', default: join(REPO_ROOT, 'data/fashion-mnist-mini') },
  },
});
const source = values.source;
const out = resolve(values.out);
const parts = [
  { part: 'train', prefix: 'train', perClass: Number(values['train-per-class']) },
  { part: 'test', prefix: 't10k', perClass: Number(values['test-per-class']) },
];

for (const { part, prefix, perClass } of parts) {
  if (!Number.isInteger(perClass) || perClass < 1) throw new Error(`--${part}-per-class must be a positive integer`);
  const ds = await loadIdxDataset({
    kind: 'idx',
    path: join(source, `${prefix}-images-idx3-ubyte.gz`),
    labelsPath: join(source, `${prefix}-labels-idx1-ubyte.gz`),
    labels: [...FASHION_MNIST_LABELS],
  });
  const written = await writeSubset(ds, join(out, part), perClass);
  console.log(`${part}: ${written} images (${perClass} per class) → ${join(out, part)}`);
}
await writeFile(join(out, 'LICENSE'), await licenceText());
await writeFile(join(out, 'README.md'), readme());

async function writeSubset(ds: Dataset, dir: string, perClass: number): Promise<number> {
  await rm(dir, { recursive: true, force: true });
  const taken = new Array<number>(ds.labels.length).fill(0);
  let written = 0;
  for (const [index, sample] of ds.samples.entries()) {
    if (taken[sample.label]! >= perClass || sample.source.kind !== 'raw') continue;
    const { width, height, data } = sample.source.image;
    const classDir = join(dir, ds.labels[sample.label]!);
    if (taken[sample.label] === 0) await mkdir(classDir, { recursive: true });
    await writeFile(
      join(classDir, `${String(index).padStart(5, '0')}.png`),
      encode({ width, height, data, channels: 1, depth: 8 }),
    );
    taken[sample.label]!++;
    written++;
  }
  const short = ds.labels.filter((_, i) => taken[i]! < perClass);
  if (short.length > 0) throw new Error(`not enough images for ${short.join(', ')}`);
  return written;
}

/** The MIT (Expat) licence Zalando publishes Fashion-MNIST under, as Debian's copyright file records it. */
async function licenceText(): Promise<string> {
  const copyright = await readFile('/usr/share/doc/dataset-fashion-mnist/copyright', 'utf8').catch(() => '');
  const body = copyright.split('License: Expat\n').at(-1);
  if (!body || !body.includes('Permission is hereby granted'))
    throw new Error('cannot read the licence from dataset-fashion-mnist');
  const text = body
    .split('\n')
    .map((l) => l.replace(/^ /, '').replace(/^\.$/, '').trimEnd())
    .join('\n')
    .trim();
  return `MIT License\n\nCopyright (c) 2017 Zalando SE, https://tech.zalando.com\n\n${text}\n`;
}

function readme(): string {
  const [train, test] = parts;
  return `# fashion-mnist-mini

A small subset of [Fashion-MNIST](https://github.com/zalandoresearch/fashion-mnist) (Zalando Research, MIT licence,
see LICENSE) so that resnet-edge trains and tests on a fresh clone without a download.

- \`train/<class>/\`: the first ${train!.perClass} images of each class from the 60,000 training images.
- \`test/<class>/\`: the first ${test!.perClass} images of each class from the 10,000 test images.
- 28×28, 8-bit grayscale PNG. A file's name is the image's index in the original IDX file.
- Classes, in Fashion-MNIST's label order 0–9: ${FASHION_MNIST_LABELS.join(', ')}.
  (Loaded as a plain folder per class the order would be alphabetical; the trainer's default passes this order.)

Taken from the IDX files of the Debian package \`dataset-fashion-mnist\` (\`/usr/share/datasets/fashion-mnist/\`).
Regenerate or enlarge it with:

    apt-get install dataset-fashion-mnist
    npx tsx scripts/make-fashion-mnist-subset.ts --train-per-class ${train!.perClass} --test-per-class ${test!.perClass}
`;
}
