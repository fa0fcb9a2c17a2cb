// A short, JSON-friendly description of a dataset for logs, run reports and `--json` output.
import type { Dataset, SkippedReport } from './dataset.ts';

export interface DatasetSummary {
  name: string;
  samples: number;
  /** Images per class, in label order. */
  perClass: Record<string, number>;
  skipped: SkippedReport;
}

export function summarize(ds: Dataset): DatasetSummary {
  const counts = new Array<number>(ds.labels.length).fill(0);
  for (const s of ds.samples) counts[s.label]!++;
  return {
    name: ds.name,
    samples: ds.samples.length,
    perClass: Object.fromEntries(ds.labels.map((l, i) => [l, counts[i]!])),
    skipped: ds.skipped,
  };
}

/** One log line, e.g. `train: 2000 images, 10 classes (200–200 per class), 0 skipped`. */
export function describeDataset(ds: Dataset): string {
  const counts = Object.values(summarize(ds).perClass);
  const range = counts.length ? `${Math.min(...counts)}–${Math.max(...counts)} per class` : 'no classes';
  return `${ds.name}: ${ds.samples.length} images, ${ds.labels.length} classes (${range}), ${ds.skipped.count} skipped`;
}
