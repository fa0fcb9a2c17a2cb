// The images quantization needs from a run: calibration images from the run's own training split (never
// the held-out set, so the reported int8 accuracy is not measured on calibration data), and the held-out
// set the trainer evaluates on (its recorded test set, else its validation split).
import { loadDataset, materialize, splitDataset } from '../data/dataset.ts';
import { loadEvalData } from '../run/data-source.ts';
import type { RunInfo } from '../run/run-folder.ts';
import type { LabelledArrays } from '../training/metrics.ts';
import { Rng } from '../training/rng.ts';
import { QuantizeError } from './errors.ts';

export async function calibrationImages(
  info: RunInfo,
  count: number,
  log: (m: string) => void,
): Promise<LabelledArrays> {
  const full = await loadDataset(info.data.train);
  const { train } =
    info.data.validationFraction > 0
      ? await splitDataset(full, { validationFraction: info.data.validationFraction, seed: info.data.seed })
      : { train: full };
  if (train.samples.length === 0)
    throw new QuantizeError(
      'calibration_failed',
      `the run's training data '${full.name}' has no images left to calibrate on`,
    );
  // A seeded sample spread over all classes rather than the first files of the first class.
  const pick = Array.from(new Rng(info.data.seed ^ 0xca1b).permutation(train.samples.length).subarray(0, count)).sort(
    (a, b) => a - b,
  );
  const m = await materialize({ ...train, samples: pick.map((i) => train.samples[i]!) }, info.preprocess);
  log(`calibrating on ${m.count} images from ${full.name}`);
  return { x: m.x, y: m.y, count: m.count, shape: m.shape };
}

export async function heldOutImages(
  info: RunInfo,
  log: (m: string) => void,
): Promise<{ name: string; arrays: LabelledArrays }> {
  return loadEvalData(info, null, log);
}
