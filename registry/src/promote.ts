// promote and rollback: the same verified, conditional pointer move as publish.
import type { Pointer } from '@resnet-edge/shared/registry/manifest';
import { RegistryError } from './errors.ts';
import { movePointer, readHistory, readPointer } from './pointer.ts';
import { readModel } from './read.ts';
import type { ObjectStore } from './store.ts';

export async function promote(store: ObjectStore, name: string, version: string, by: string): Promise<Pointer> {
  const before = await readPointer(store, name);
  // Never point at a version that does not verify.
  await readModel(store, name, version);
  return movePointer(store, { name, version, reason: 'promote', by, expected: before });
}

/** Moves the pointer back to the version that was current before the present one. */
export async function rollback(store: ObjectStore, name: string, by: string): Promise<Pointer> {
  const before = await readPointer(store, name);
  if (!before) throw new RegistryError('model_not_found', `no model '${name}' in ${store.describe}`);
  let target = before.pointer.previousVersion;
  if (!target || target === before.pointer.version) {
    const earlier = (await readHistory(store, name)).map((p) => p.version).filter((v) => v !== before.pointer.version);
    target = earlier.at(-1) ?? null;
  }
  if (!target) throw new RegistryError('nothing_to_roll_back', `${name} has no earlier version to roll back to`);
  await readModel(store, name, target);
  return movePointer(store, { name, version: target, reason: 'rollback', by, expected: before });
}
