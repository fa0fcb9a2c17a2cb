// File-system helpers shared by the file-based loaders: finding images and reading them lazily.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { SampleSource } from './dataset.ts';
import { DatasetError } from './errors.ts';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'] as const;

export function isImageFile(name: string): boolean {
  const lower = name.toLowerCase();
  return !name.startsWith('.') && IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/** Image files under `dir`, recursively, as sorted absolute paths. Hidden files and folders are ignored. */
export async function listImages(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listImages(full)));
    else if (isImageFile(e.name)) out.push(full);
  }
  return out.sort();
}

/** Throws not_found unless `path` is an existing directory. */
export async function requireDirectory(path: string, what: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new DatasetError('not_found', `${what} '${path}' does not exist`);
  if (!info.isDirectory()) throw new DatasetError('not_found', `${what} '${path}' is not a directory`);
}

export function fileSource(path: string): SampleSource {
  return { kind: 'encoded', read: async () => new Uint8Array(await readFile(path)) };
}

/** A path relative to `root` with forward slashes, so sample ids are the same on every OS. */
export function relativeId(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}
