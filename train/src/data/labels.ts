// Checks every loader applies to its label list: at least two classes, none empty.
import type { Sample } from './dataset.ts';
import { DatasetError } from './errors.ts';

export function checkClasses(source: string, labels: string[], samples: Sample[]): void {
  if (samples.length === 0) throw new DatasetError('no_images', `no images found in ${source}`);
  if (labels.length < 2) {
    throw new DatasetError('single_class', `${source} has only one class (${labels[0] ?? 'none'}); a classifier needs at least two`);
  }
  const counts = new Array<number>(labels.length).fill(0);
  for (const s of samples) counts[s.label]!++;
  const empty = labels.filter((_, i) => counts[i] === 0);
  if (empty.length > 0) {
    throw new DatasetError('empty_class', `${source}: class${empty.length > 1 ? 'es' : ''} ${empty.map((l) => `'${l}'`).join(', ')} ha${empty.length > 1 ? 've' : 's'} no images`);
  }
}

/** Sort class names so numbers order numerically ('2' before '10') and the rest alphabetically. */
export function sortLabels(names: Iterable<string>): string[] {
  return [...new Set(names)].sort((a, b) => {
    const na = /^\d+$/.test(a) ? Number(a) : NaN;
    const nb = /^\d+$/.test(b) ? Number(b) : NaN;
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}
