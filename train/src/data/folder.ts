// Loader (a): a folder per class, `DIR/<class>/**/*.{png,jpg,jpeg,webp}`.
import { readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Dataset, FolderDatasetOptions, Sample } from './dataset.ts';
import { emptySkipped } from './skipped.ts';
import { DatasetError } from './errors.ts';
import { fileSource, listImages, relativeId, requireDirectory } from './files.ts';
import { checkClasses, sortLabels } from './labels.ts';

export async function loadFolderDataset(options: FolderDatasetOptions): Promise<Dataset> {
  const root = resolve(options.path);
  await requireDirectory(root, 'dataset folder');
  const classDirs = (await readdir(root, { withFileTypes: true }))
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name);
  if (classDirs.length === 0) throw new DatasetError('no_images', `no class folders in '${options.path}' (expected ${options.path}/<class>/*.png)`);
  const labels = options.labels ?? sortLabels(classDirs);
  if (options.labels) {
    const unknown = classDirs.filter((d) => !labels.includes(d));
    if (unknown.length > 0) {
      throw new DatasetError('unknown_label', `class folder${unknown.length > 1 ? 's' : ''} ${unknown.map((d) => `'${d}'`).join(', ')} in '${options.path}' not in the label list (${labels.join(', ')})`);
    }
  }
  const samples: Sample[] = [];
  for (const [label, name] of labels.entries()) {
    if (!classDirs.includes(name)) continue; // checkClasses reports it as an empty class
    for (const file of await listImages(join(root, name))) {
      samples.push({ id: relativeId(root, file), label, source: fileSource(file) });
    }
  }
  checkClasses(`'${options.path}'`, labels, samples);
  return { name: basename(root), labels, samples, skipped: emptySkipped() };
}
