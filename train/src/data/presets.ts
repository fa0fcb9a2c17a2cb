// The bundled Fashion-MNIST sample: where it lives, its class names, and the preprocessing a model
// trained on it uses. These are the defaults when no dataset flags are given.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PreprocessSpec } from '@resnet-edge/shared/preprocess/spec';
import { DEFAULT_MAX_PIXELS } from '@resnet-edge/shared/image/limits';
import type { FolderDatasetOptions } from './dataset.ts';

/**
 * Fashion-MNIST's classes 0–9 in the official order, spelled to be safe folder names
 * (the originals: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot).
 */
export const FASHION_MNIST_LABELS = [
  't-shirt_top',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'ankle_boot',
] as const;

/** Named label lists accepted by `--labels` (e.g. `--labels fashion-mnist` for IDX files). */
export const LABEL_PRESETS: Record<string, readonly string[]> = {
  'fashion-mnist': FASHION_MNIST_LABELS,
};

/**
 * Mean and std of the 60,000 Fashion-MNIST training images as pixel/255, computed with our IDX loader by
 * `npx tsx scripts/fashion-mnist-stats.ts` (float64 sums over all 47,040,000 pixels).
 */
export const FASHION_MNIST_MEAN = 0.2860405969888;
export const FASHION_MNIST_STD = 0.35302424451492;

export const fashionMnistSpec: PreprocessSpec = {
  colorMode: 'grayscale',
  resizeShorter: 28,
  resizeAlgorithm: 'bilinear',
  crop: { height: 28, width: 28 },
  normalize: { kind: 'mean_std', mean: [FASHION_MNIST_MEAN], std: [FASHION_MNIST_STD] },
  maxPixels: DEFAULT_MAX_PIXELS,
};

/** The repository root, found from this file's location so it does not depend on the working directory. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const BUNDLED_DATA = {
  train: resolve(REPO_ROOT, 'data/fashion-mnist-mini/train'),
  test: resolve(REPO_ROOT, 'data/fashion-mnist-mini/test'),
} as const;

/** Folder options for the bundled sample, with the official class order (so index 0 is t-shirt_top). */
export function bundledDatasetOptions(part: keyof typeof BUNDLED_DATA): FolderDatasetOptions {
  return { kind: 'folder', path: BUNDLED_DATA[part], labels: [...FASHION_MNIST_LABELS] };
}
