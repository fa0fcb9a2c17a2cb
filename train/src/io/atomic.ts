// Writes that never leave a half file behind: write a sibling temporary, then rename over the target.
// A rename within one filesystem is atomic, so a reader sees the old content or the new, never a mix.
import { access, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { TrainError } from '../errors.ts';

let counter = 0;

function tmpSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${++counter}`);
}

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC') return 'no space left on device';
  if (e?.code === 'EDQUOT') return 'disk quota exceeded';
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied';
  return e?.message ?? String(err);
}

export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  errorCode = 'write_failed',
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = tmpSibling(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw new TrainError(errorCode, `could not write '${path}': ${describeFsError(err)}`);
  }
}

/**
 * Repairs what a crash in the middle of replaceDirAtomic can leave: a target moved aside (`.old`)
 * but not yet replaced gets its old content back, and abandoned temporaries are removed.
 * Only call it when no other process writes the same directory.
 */
export async function recoverDir(dir: string): Promise<void> {
  const parent = dirname(dir);
  const prefix = `.${basename(dir)}.tmp-`;
  let entries: string[];
  try {
    entries = await readdir(parent);
  } catch {
    return;
  }
  const present = await access(dir).then(
    () => true,
    () => false,
  );
  for (const e of entries.filter((n) => n.startsWith(prefix))) {
    const path = join(parent, e);
    if (!present && e.endsWith('.old')) {
      await rename(path, dir).catch(() => {});
      continue;
    }
    await rm(path, { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * Replaces a whole directory atomically: `fill(tmpDir)` writes everything into a temporary sibling,
 * which then takes the target's place. If filling fails (a full disk), the temporary goes and the
 * previous directory stays intact.
 */
export async function replaceDirAtomic(
  dir: string,
  fill: (tmpDir: string) => Promise<void>,
  errorCode = 'write_failed',
): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  await recoverDir(dir);
  const tmp = tmpSibling(dir);
  const old = `${tmp}.old`;
  let movedOld = false;
  try {
    await mkdir(tmp, { recursive: true });
    await fill(tmp);
    // Two renames: the old directory steps aside, the new one takes its name; on failure between
    // them the old one is put back, so the target is always either the old or the new content.
    try {
      await rename(dir, old);
      movedOld = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
    if (movedOld) await rename(old, dir).catch(() => {});
    if (err instanceof TrainError) throw new TrainError(errorCode, err.message);
    throw new TrainError(errorCode, `could not write '${dir}': ${describeFsError(err)}`);
  }
  if (movedOld) await rm(old, { recursive: true, force: true }).catch(() => {});
}
