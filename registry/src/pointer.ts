// The pointer `models/<name>/current.json` is the only mutable object. It moves by conditional write only:
// If-Match on the ETag we read, or If-None-Match: * when there is none yet. Whoever loses a race gets
// 'pointer_moved' and nothing is overwritten. Every move also appends an immutable history record.
import { historyPrefix, manifestKey, pointerKey } from '@resnet-edge/shared/registry/layout';
import { pointerSchema, type Pointer } from '@resnet-edge/shared/registry/manifest';
import { sha256Hex } from '@resnet-edge/shared/hash';
import { RegistryError } from './errors.ts';
import type { ObjectStore } from './store.ts';

export interface CurrentPointer {
  pointer: Pointer;
  etag: string;
}

export async function readPointer(store: ObjectStore, name: string): Promise<CurrentPointer | null> {
  const obj = await store.get(pointerKey(name));
  if (!obj) return null;
  try {
    return { pointer: pointerSchema.parse(JSON.parse(new TextDecoder().decode(obj.bytes))), etag: obj.etag };
  } catch (err) {
    throw new RegistryError(
      'integrity_error',
      `pointer ${pointerKey(name)} is not a valid pointer: ${(err as Error).message}`,
    );
  }
}

export interface MoveRequest {
  name: string;
  version: string;
  reason: Pointer['reason'];
  by: string;
  /** The pointer as the caller read it (null = none yet); the move fails if it changed since. */
  expected: CurrentPointer | null;
}

export async function movePointer(store: ObjectStore, req: MoveRequest): Promise<Pointer> {
  const manifest = await store.get(manifestKey(req.name, req.version));
  if (!manifest)
    throw new RegistryError(
      'version_not_found',
      `${req.name}@${req.version} is not published (${manifestKey(req.name, req.version)} missing)`,
    );
  const pointer: Pointer = {
    name: req.name,
    version: req.version,
    manifestSha256: await sha256Hex(manifest.bytes),
    previousVersion: req.expected?.pointer.version ?? null,
    movedBy: req.by,
    movedAt: new Date().toISOString(),
    reason: req.reason,
  };
  const bytes = new TextEncoder().encode(JSON.stringify(pointer, null, 2));
  try {
    await store.put(pointerKey(req.name), bytes, {
      contentType: 'application/json',
      ...(req.expected ? { ifMatch: req.expected.etag } : { ifNoneMatch: '*' as const }),
    });
  } catch (err) {
    if (err instanceof RegistryError && err.code === 'precondition_failed') {
      throw new RegistryError(
        'pointer_moved',
        `pointer ${pointerKey(req.name)} moved while we were writing it: someone else published or promoted; retry`,
      );
    }
    throw err;
  }
  // The move has happened; the history record is an audit trail, written create-only under a unique key.
  const historyKey = `${historyPrefix(req.name)}${pointer.movedAt.replace(/[:.]/g, '-')}-${req.version}.json`;
  await store.put(historyKey, bytes, { contentType: 'application/json', ifNoneMatch: '*' });
  return pointer;
}

export async function readHistory(store: ObjectStore, name: string): Promise<Pointer[]> {
  const keys = await store.list(historyPrefix(name));
  const records = await Promise.all(keys.map((k) => store.get(k)));
  return records
    .filter((r): r is NonNullable<typeof r> => r !== null)
    .map((r) => pointerSchema.parse(JSON.parse(new TextDecoder().decode(r.bytes))))
    .sort((a, b) => a.movedAt.localeCompare(b.movedAt));
}
