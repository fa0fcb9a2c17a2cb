// One contract, two drivers: what the registry relies on from an object store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { RegistryError } from '@resnet-edge/registry/errors';
import type { ObjectStore } from '@resnet-edge/registry/store';
import { r2Fixture, s3Fixture, type StoreFixture } from './helpers.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe.each([
  ['s3 (s3rver + conditional proxy)', s3Fixture],
  ['r2-local (Miniflare)', r2Fixture],
] as const)('ObjectStore contract: %s', (_label, makeFixture) => {
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

  it('puts, gets, heads and lists objects', async () => {
    const { etag } = await store.put('a/one.txt', enc('one'));
    await store.put('a/two.txt', enc('two'));
    await store.put('b/three.txt', enc('three'));
    const got = await store.get('a/one.txt');
    expect(dec(got!.bytes)).toBe('one');
    expect(got!.etag).toBe(etag);
    expect(await store.head('a/two.txt')).toEqual({ etag: expect.any(String), size: 3 });
    expect(await store.list('a/')).toEqual(['a/one.txt', 'a/two.txt']);
    expect(await store.get('a/missing')).toBeNull();
    expect(await store.head('a/missing')).toBeNull();
  });

  it('create-only put refuses an existing key', async () => {
    await store.put('c/once', enc('first'), { ifNoneMatch: '*' });
    await expect(store.put('c/once', enc('second'), { ifNoneMatch: '*' })).rejects.toMatchObject({
      code: 'precondition_failed',
    });
    expect(dec((await store.get('c/once'))!.bytes)).toBe('first');
  });

  it('If-Match put succeeds on the current ETag and refuses a stale one', async () => {
    const v1 = await store.put('d/ptr', enc('v1'), { ifNoneMatch: '*' });
    const v2 = await store.put('d/ptr', enc('v2'), { ifMatch: v1.etag });
    await expect(store.put('d/ptr', enc('v3'), { ifMatch: v1.etag })).rejects.toBeInstanceOf(RegistryError);
    expect(dec((await store.get('d/ptr'))!.bytes)).toBe('v2');
    expect((await store.get('d/ptr'))!.etag).toBe(v2.etag);
  });

  it('deletes', async () => {
    await store.put('e/gone', enc('x'));
    await store.delete('e/gone');
    expect(await store.get('e/gone')).toBeNull();
  });

  if (_label.startsWith('s3')) {
    it('the dev server answers a conflicting conditional PUT with 412 (raw HTTP)', async () => {
      const { server } = fixture as Awaited<ReturnType<typeof s3Fixture>>;
      await store.put('f/raw', enc('x'));
      const status = await new Promise<number>((resolve, reject) => {
        const url = new URL(`${server.endpoint}/${server.bucket}/team/f/raw`);
        const r = request(url, { method: 'PUT', headers: { 'if-none-match': '*', 'content-length': '1' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        r.on('error', reject);
        r.end('y');
      });
      expect(status).toBe(412);
    });
  }
});
