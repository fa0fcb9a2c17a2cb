// Writes the small dataset fixtures under tests/fixtures/datasets/ from real Fashion-MNIST data:
//   idx/        the first 50 test images + labels, gzipped, and the first 20 uncompressed
//   seed003/    PNGs named like seed 003's fundus images (N…/H… normal, P… myopia) and its validation CSV
// Needs the Debian package dataset-fashion-mnist and the bundled PNGs (scripts/make-fashion-mnist-subset.ts).
//   npx tsx scripts/make-dataset-fixtures.ts
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { REPO_ROOT } from '../train/src/data/presets.ts';

const source = process.argv[2] ?? '/usr/share/datasets/fashion-mnist';
const out = join(REPO_ROOT, 'tests/fixtures/datasets');
await rm(out, { recursive: true, force: true });

// IDX: keep the header's layout, shrink the count and the data.
await mkdir(join(out, 'idx'), { recursive: true });
const images = gunzipSync(await readFile(join(source, 't10k-images-idx3-ubyte.gz')));
const labels = gunzipSync(await readFile(join(source, 't10k-labels-idx1-ubyte.gz')));
function firstImages(n: number): Buffer {
  const head = Buffer.from(images.subarray(0, 16));
  head.writeUInt32BE(n, 4);
  return Buffer.concat([head, images.subarray(16, 16 + n * 28 * 28)]);
}
function firstLabels(n: number): Buffer {
  const head = Buffer.from(labels.subarray(0, 8));
  head.writeUInt32BE(n, 4);
  return Buffer.concat([head, labels.subarray(8, 8 + n)]);
}
await writeFile(join(out, 'idx/t10k-50-images-idx3-ubyte.gz'), gzipSync(firstImages(50), { level: 9 }));
await writeFile(join(out, 'idx/t10k-50-labels-idx1-ubyte.gz'), gzipSync(firstLabels(50), { level: 9 }));
await writeFile(join(out, 'idx/t10k-20-images-idx3-ubyte'), firstImages(20));
await writeFile(join(out, 'idx/t10k-20-labels-idx1-ubyte'), firstLabels(20));

// seed 003 look-alike: "normal" images are trousers, "myopia" images are bags (any two real classes do).
const seed = join(out, 'seed003');
await mkdir(seed, { recursive: true });
const bundled = join(REPO_ROOT, 'data/fashion-mnist-mini/test');
const trousers = (await readdir(join(bundled, 'trouser'))).sort();
const bags = (await readdir(join(bundled, 'bag'))).sort();
const files = [
  { name: 'N0001.png', from: join(bundled, 'trouser', trousers[0]!), label: 0 },
  { name: 'N0002.png', from: join(bundled, 'trouser', trousers[1]!), label: 0 },
  { name: 'H0003.png', from: join(bundled, 'trouser', trousers[2]!), label: 0 },
  { name: 'P0001.png', from: join(bundled, 'bag', bags[0]!), label: 1 },
  { name: 'P0002.png', from: join(bundled, 'bag', bags[1]!), label: 1 },
  { name: 'P0003.png', from: join(bundled, 'bag', bags[2]!), label: 1 },
];
for (const f of files) await copyFile(f.from, join(seed, f.name));
// A file no label rule matches: the file-name-rule loader must report and skip it.
await copyFile(join(bundled, 'bag', bags[3]!), join(seed, 'X0001.png'));
await writeFile(join(seed, 'notes.txt'), 'not an image: loaders ignore it\n');
// Seed 003's validation file layout, written the way Excel writes it: a BOM, CRLF, quoted cells.
const rows = files.map(
  (f, i) => `${i + 1},"${f.name}",${f.label},"1,${(100 + i * 10.5).toFixed(2)}","say ""${900 - i}"""`,
);
await writeFile(
  join(seed, 'Fovea_Location_validation.csv'),
  '\ufeffID,imgName,Label,Fovea_X,Fovea_Y\r\n' + rows.join('\r\n') + '\r\n',
);
console.log(`fixtures written to ${out}`);
