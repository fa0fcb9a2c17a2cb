// Loader for several datasets as one: each part is loaded by its own loader, re-indexed to the union's
// label list, and its ids prefixed so the same file name in two parts stays two samples.
import type { Dataset, UnionDatasetOptions } from './dataset.ts';
import { DatasetError } from './errors.ts';
import { loadDataset } from './load.ts';
import type { SkippedReport } from './dataset.ts';
import { SKIPPED_EXAMPLES } from './skipped.ts';

export async function loadUnionDataset(options: UnionDatasetOptions): Promise<Dataset> {
  if (options.parts.length === 0) throw new DatasetError('no_images', 'a union of datasets needs at least one part');
  const parts = await Promise.all(options.parts.map((p) => loadDataset(p)));
  const samples = parts.flatMap((part, i) => {
    const unknown = part.labels.filter((l) => !options.labels.includes(l));
    if (unknown.length > 0) {
      throw new DatasetError('unknown_label', `dataset '${part.name}' has classes outside the label list: ${unknown.join(', ')} (labels: ${options.labels.join(', ')})`);
    }
    const map = part.labels.map((l) => options.labels.indexOf(l));
    return part.samples.map((s) => ({ ...s, id: `${i}:${s.id}`, label: map[s.label]! }));
  });
  const skipped: SkippedReport = {
    count: parts.reduce((n, p) => n + p.skipped.count, 0),
    examples: parts.flatMap((p) => p.skipped.examples).slice(0, SKIPPED_EXAMPLES),
  };
  return { name: parts.map((p) => p.name).join(' + '), labels: options.labels, samples, skipped };
}
