// Prints the mean and std (of pixel/255) over the Fashion-MNIST training images, the numbers in
// train/src/data/presets.ts. Needs the Debian package dataset-fashion-mnist.
//   npx tsx scripts/fashion-mnist-stats.ts [DIR]
import { join } from 'node:path';
import { readIdxFile } from '../train/src/data/idx.ts';

const dir = process.argv[2] ?? '/usr/share/datasets/fashion-mnist';
const { data, dims } = await readIdxFile(join(dir, 'train-images-idx3-ubyte.gz'));
let sum = 0;
let sumSquares = 0;
for (const v of data) {
  sum += v;
  sumSquares += v * v;
}
const n = data.length;
const mean = sum / n / 255;
const std = Math.sqrt(sumSquares / n / (255 * 255) - mean * mean);
console.log(
  JSON.stringify({ images: dims[0], pixels: n, mean: Number(mean.toFixed(14)), std: Number(std.toFixed(14)) }),
);
