// A stable identity for a dataset's content, stored in the model manifest: sha256 over the label names
// and, per sample sorted by id, `id TAB label TAB sha256(content)`. Renaming a class, moving a file to
// another class or changing one pixel changes it; listing order and load time do not.
import { createHash } from 'node:crypto';
import type { Dataset, Sample } from './dataset.ts';

export async function fingerprint(ds: Dataset): Promise<string> {
  const ordered = [...ds.samples].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const total = createHash('sha256');
  total.update(`labels\t${JSON.stringify(ds.labels)}\n`);
  for (const s of ordered) total.update(`${s.id}\t${s.label}\t${await contentHash(s)}\n`);
  return total.digest('hex');
}

async function contentHash(s: Sample): Promise<string> {
  if (s.source.kind === 'raw') {
    const { width, height, channels, data } = s.source.image;
    return createHash('sha256').update(`${width}x${height}x${channels}:`).update(data).digest('hex');
  }
  // An unreadable file still fingerprints (as unreadable), so a training run that skipped it can record it.
  const bytes = await s.source.read().catch(() => undefined);
  return bytes ? createHash('sha256').update(bytes).digest('hex') : 'unreadable';
}
