// The publish protocol and its faults, against both real stores.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { pointerKey, modelFileKey } from '../../shared/src/registry/layout.ts';
import { listModels } from '@resnet-edge/registry/list';
import { readHistory, readPointer } from '@resnet-edge/registry/pointer';
import { promote, rollback } from '@resnet-edge/registry/promote';
import { publishModel } from '@resnet-edge/registry/publish';
import { readModel } from '@resnet-edge/registry/read';
import { S3Store } from '@resnet-edge/registry/s3-store';
import type { ObjectStore } from '@resnet-edge/registry/store';
import { makeModelDir, r2Fixture, s3Fixture, type StoreFixture } from './helpers.ts';

describe.each([
  ['s3', s3Fixture],
  ['r2-local', r2Fixture],
] as const)('registry on %s', (_label, makeFixture) => {
  let fixture: StoreFixture;
  let store: ObjectStore;
  beforeAll(async () => {
    fixture = await makeFixture();
    store = fixture.open();
  });
  afterAll(async () => {
    await store.close();
    await fixture.stop();
  });

  it('publishes, points at the new version, and reads it back verified', async () => {
    const v1 = makeModelDir('1.0.0', { name: 'pub' });
    const result = await publishModel(store, v1.dir, { by: 'test' });
    expect(result.promoted).toBe(true);
    expect(result.pointer).toMatchObject({ name: 'pub', version: '1.0.0', previousVersion: null, reason: 'publish' });
    const read = await readModel(store, 'pub');
    expect(read.manifest.version).toBe('1.0.0');
    expect(Buffer.from(read.files['model.tflite']!).equals(Buffer.from(v1.model))).toBe(true);
  });

  it('never overwrites a version', async () => {
    const again = makeModelDir('1.0.0', { name: 'pub' });
    await expect(publishModel(store, again.dir, { by: 'test' })).rejects.toMatchObject({ code: 'version_exists' });
    expect((await readPointer(store, 'pub'))!.pointer.version).toBe('1.0.0');
  });

  it('a publish killed between the upload and the pointer write leaves the old version served', async () => {
    const v2 = makeModelDir('2.0.0', { name: 'pub' });
    await expect(
      publishModel(store, v2.dir, {
        by: 'test',
        beforePointerMove: () => {
          throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    expect((await readPointer(store, 'pub'))!.pointer.version).toBe('1.0.0');
    expect((await readModel(store, 'pub')).manifest.version).toBe('1.0.0');
    // The orphaned version is complete and can still be promoted deliberately.
    await promote(store, 'pub', '2.0.0', 'test');
    expect((await readModel(store, 'pub')).manifest.version).toBe('2.0.0');
  });

  it('two racing publishers: exactly one moves the pointer, the other gets pointer_moved', async () => {
    const base = makeModelDir('1.0.0', { name: 'race' });
    await publishModel(store, base.dir, { by: 'test' });
    const a = makeModelDir('1.1.0', { name: 'race' });
    const b = makeModelDir('1.2.0', { name: 'race' });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let arrived = 0;
    // Both read the same pointer, upload, then wait at the gate so their pointer writes collide.
    const hook = async () => {
      if (++arrived === 2) release();
      await gate;
    };
    const results = await Promise.allSettled([
      publishModel(store, a.dir, { by: 'a', beforePointerMove: hook }),
      publishModel(store, b.dir, { by: 'b', beforePointerMove: hook }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toMatchObject({ code: 'pointer_moved' });
    const winner = (won[0] as PromiseFulfilledResult<{ version: string }>).value.version;
    expect((await readPointer(store, 'race'))!.pointer.version).toBe(winner);
  });

  it('detects a corrupted object on read and names its key', async () => {
    const v = makeModelDir('1.0.0', { name: 'corrupt' });
    await publishModel(store, v.dir, { by: 'test' });
    const key = modelFileKey('corrupt', '1.0.0');
    await fixture.tamper(key, new Uint8Array(v.model.byteLength).fill(7));
    await expect(readModel(store, 'corrupt')).rejects.toMatchObject({
      code: 'integrity_error',
      message: expect.stringContaining(key),
    });
  });

  it('detects a manifest that does not match the pointer', async () => {
    const v = makeModelDir('1.0.0', { name: 'corrupt-manifest' });
    await publishModel(store, v.dir, { by: 'test' });
    const other = { ...v.manifest, arch: 'resnet56' };
    await fixture.tamper(
      'models/corrupt-manifest/1.0.0/manifest.json',
      new TextEncoder().encode(JSON.stringify(other)),
    );
    await expect(readModel(store, 'corrupt-manifest')).rejects.toMatchObject({ code: 'integrity_error' });
  });

  it('promote, rollback and history', async () => {
    for (const v of ['1.0.0', '1.1.0', '2.0.0'])
      await publishModel(store, makeModelDir(v, { name: 'hist' }).dir, { by: 'test', promote: v !== '2.0.0' });
    expect((await readPointer(store, 'hist'))!.pointer.version).toBe('1.1.0');
    await promote(store, 'hist', '2.0.0', 'ops');
    const back = await rollback(store, 'hist', 'ops');
    expect(back).toMatchObject({ version: '1.1.0', previousVersion: '2.0.0', reason: 'rollback', movedBy: 'ops' });
    const history = await readHistory(store, 'hist');
    expect(history.map((h) => `${h.reason}:${h.version}`)).toEqual([
      'publish:1.0.0',
      'publish:1.1.0',
      'promote:2.0.0',
      'rollback:1.1.0',
    ]);
    await expect(promote(store, 'hist', '9.9.9', 'ops')).rejects.toMatchObject({ code: 'version_not_found' });
    const [listed] = await listModels(store, 'hist');
    expect(listed!.current).toBe('1.1.0');
    expect(listed!.versions.map((v) => [v.version, v.current])).toEqual([
      ['1.0.0', false],
      ['1.1.0', true],
      ['2.0.0', false],
    ]);
  });

  it('--name/--version override the manifest, which is rewritten to match its key', async () => {
    const dir = makeModelDir('1.0.0', { name: 'from-dir' });
    const result = await publishModel(store, dir.dir, { by: 'test', name: 'renamed', version: '3.1.0' });
    expect(result.files.map((f) => f.key)).toContain('models/renamed/3.1.0/manifest.json');
    const read = await readModel(store, 'renamed');
    expect(read.manifest).toMatchObject({ name: 'renamed', version: '3.1.0' });
    expect(Buffer.from(read.modelBytes).equals(Buffer.from(dir.model))).toBe(true);
    expect(read.pointer!.manifestSha256).not.toBe(dir.manifest.files['model.tflite']!.sha256);
    await expect(publishModel(store, dir.dir, { by: 'test', version: 'not-semver' })).rejects.toThrow(
      /invalid version/,
    );
  });

  it('rollback with no earlier version is a clear error', async () => {
    await publishModel(store, makeModelDir('1.0.0', { name: 'single' }).dir, { by: 'test' });
    await expect(rollback(store, 'single', 'ops')).rejects.toMatchObject({ code: 'nothing_to_roll_back' });
    await expect(readModel(store, 'no-such-model')).rejects.toMatchObject({ code: 'model_not_found' });
  });
});

describe('unreachable store', () => {
  it('fails with store_unreachable after bounded retries and writes nothing', async () => {
    // A port that was free a moment ago: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const store = new S3Store({
      bucket: 'resnet-edge',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 3,
    });
    const v = makeModelDir('1.0.0', { name: 'offline' });
    const err = await publishModel(store, v.dir, { by: 'test' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'store_unreachable' });
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect((err as Error).message).toContain('after 3 attempts');
    await store.close();
    expect(pointerKey('offline')).toBe('models/offline/current.json');
  });
});
