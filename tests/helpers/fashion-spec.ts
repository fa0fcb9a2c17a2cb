// The preprocessing recipe the test models and manifests use: Fashion-MNIST's (train/src/data/presets.ts) with
// its statistics rounded and a 40 MP pixel cap, so messages that quote the cap are stable across tests.
import type { PreprocessSpec } from '../../shared/src/preprocess/spec.ts';

export const FASHION_TEST_SPEC = {
  colorMode: 'grayscale',
  resizeShorter: 28,
  resizeAlgorithm: 'bilinear',
  crop: { height: 28, width: 28 },
  normalize: { kind: 'mean_std', mean: [0.286], std: [0.353] },
  maxPixels: 40_000_000,
} as const satisfies PreprocessSpec;
