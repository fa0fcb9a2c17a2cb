// Deterministic, stratified train/validation split: each class is shuffled with a seeded PRNG and the
// same fraction of it goes to validation, so class proportions survive and the same seed gives the same split.
import type { Dataset, Sample } from './dataset.ts';
import { DatasetError } from './errors.ts';

export function splitDataset(
  ds: Dataset,
  opts: { validationFraction: number; seed: number },
): { train: Dataset; validation: Dataset } {
  const { validationFraction, seed } = opts;
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new DatasetError('bad_split', `validation fraction must be in [0, 1), got ${validationFraction}`);
  }
  const validationIds = new Set<string>();
  const random = mulberry32(seed);
  for (const members of byClass(ds.samples)) {
    // Sort by id first so the split depends on the data, not on the order a loader listed it.
    const ordered = [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    shuffleInPlace(ordered, random);
    // Keep at least one training image per class; the rest rounds to the nearest count.
    const take = Math.min(Math.round(ordered.length * validationFraction), ordered.length - 1);
    for (const s of ordered.slice(0, take)) validationIds.add(s.id);
  }
  const train = ds.samples.filter((s) => !validationIds.has(s.id));
  const validation = ds.samples.filter((s) => validationIds.has(s.id));
  return {
    train: { ...ds, name: `${ds.name} (train split)`, samples: train },
    validation: { ...ds, name: `${ds.name} (validation split)`, samples: validation, skipped: { count: 0, examples: [] } },
  };
}

function byClass(samples: Sample[]): Sample[][] {
  const groups = new Map<number, Sample[]>();
  for (const s of samples) {
    const g = groups.get(s.label);
    if (g) g.push(s);
    else groups.set(s.label, [s]);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
}

/** Small, well-known 32-bit PRNG: enough for shuffling, identical on every platform. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffleInPlace<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
