// Loader (b): a CSV manifest with a path column and a label column, e.g. seed 003's
// `ID,imgName,Label,Fovea_X,Fovea_Y` with pathColumn 'imgName' and labelColumn 'Label'.
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { CsvDatasetOptions, Dataset, Sample } from './dataset.ts';
import { emptySkipped, recordSkip } from './skipped.ts';
import { DatasetError } from './errors.ts';
import { fileSource, isImageFile } from './files.ts';
import { parseCsv } from './csv-parse.ts';
import { checkClasses, sortLabels } from './labels.ts';

export async function loadCsvDataset(options: CsvDatasetOptions): Promise<Dataset> {
  const csvPath = resolve(options.path);
  const text = await readFile(csvPath, 'utf8').catch(() => {
    throw new DatasetError('not_found', `CSV manifest '${options.path}' cannot be read`);
  });
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new DatasetError('no_images', `CSV manifest '${options.path}' is empty`);
  const columns = header.map((h) => h.trim());
  const pathAt = columnIndex(columns, options.pathColumn, 'path', options.path);
  const labelAt = columnIndex(columns, options.labelColumn, 'label', options.path);
  const root = resolve(options.imageRoot ?? dirname(csvPath));

  const skipped = emptySkipped();
  const entries: { rel: string; cell: string; line: number }[] = [];
  for (const [n, row] of rows.entries()) {
    const line = n + 2; // 1-based, after the header
    const rel = (row[pathAt] ?? '').trim();
    const cell = (row[labelAt] ?? '').trim();
    if (rel === '') recordSkip(skipped, `line ${line}`, 'empty path cell');
    else if (cell === '') recordSkip(skipped, rel, `line ${line}: empty label cell`);
    else entries.push({ rel, cell, line });
  }

  const labels = options.labels ?? sortLabels(entries.map((e) => e.cell));
  const labelOf = labelResolver(labels, options.labels !== undefined, options.path);
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const { rel, cell, line } of entries) {
    const label = labelOf(cell, line);
    const file = resolve(root, rel);
    const id = rel.split('\\').join('/');
    if (seen.has(id)) {
      recordSkip(skipped, id, `line ${line}: listed twice`);
      continue;
    }
    if (!isImageFile(file)) {
      recordSkip(skipped, id, `line ${line}: not a .png/.jpg/.jpeg/.webp file`);
      continue;
    }
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      recordSkip(skipped, id, `line ${line}: file not found under '${root}'`);
      continue;
    }
    seen.add(id);
    samples.push({ id, label, source: fileSource(file) });
  }
  checkClasses(`CSV manifest '${options.path}'`, labels, samples);
  return { name: basename(csvPath), labels, samples, skipped };
}

function columnIndex(columns: string[], name: string, what: string, csv: string): number {
  const i = columns.indexOf(name);
  if (i < 0) throw new DatasetError('bad_csv', `CSV manifest '${csv}' has no ${what} column '${name}' (columns: ${columns.join(', ')})`);
  return i;
}

/** A label cell names a class, or (with an explicit label list) may be its integer index, as seed 003's 0/1. */
function labelResolver(labels: string[], explicit: boolean, csv: string): (cell: string, line: number) => number {
  return (cell, line) => {
    const named = labels.indexOf(cell);
    if (named >= 0) return named;
    if (explicit && /^\d+$/.test(cell) && Number(cell) < labels.length) return Number(cell);
    throw new DatasetError('unknown_label', `CSV manifest '${csv}' line ${line}: label '${cell}' is not in the label list (${labels.join(', ')})`);
  };
}
