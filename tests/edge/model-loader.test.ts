// The isolate's model cache (edge/src/model/loader.ts) in plain Node over an in-memory bucket: concurrent requests
// share one load, the request that starts a load hands it to keepAlive (waitUntil) so it outlives that request's
// client, and a due re-check of the pointer never holds a request while a loaded version can answer it — in
// workerd a request left awaiting another request's cancelled I/O is ended as hung (a plain-text 500). Each
// request waits with a deadline of its own (await-shared.ts), which also bounds a load that never finishes.
import { describe, expect, it, vi } from 'vitest';
import { SHARED_LOAD_WAIT_MS } from '../../edge/src/model/await-shared.ts';
import { currentModel, resolveModel } from '../../edge/src/model/loader.ts';
import { ApiError } from '../../edge/src/errors.ts';
import { manifestKey, modelFileKey, pointerKey } from '@resnet-edge/shared/registry/layout';
import { makeManifest } from './publish.ts';
import { tinyModel } from './tiny-model.ts';

/** A bucket of fixed objects whose reads of `gated` keys wait until `open()`. */
function fakeBucket(objects: Map<string, Uint8Array>, gated = new Set<string>()) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const reads: string[] = [];
  const bucket = {
    async get(key: string) {
      reads.push(key);
      if (gated.has(key)) await gate;
      const bytes = objects.get(key);
      return bytes ? { arrayBuffer: async () => bytes.slice().buffer } : null;
    },
  } satisfies R2Bucket;
  return { bucket, reads, open };
}

async function published(name: string, version: string): Promise<Map<string, Uint8Array>> {
  const model = tinyModel(1);
  const { manifestBytes, manifestSha256 } = await makeManifest(name, version, model);
  const pointer = {
    name,
    version,
    manifestSha256,
    previousVersion: null,
    movedBy: 'test',
    movedAt: new Date().toISOString(),
    reason: 'publish',
  };
  return new Map([
    [pointerKey(name), new TextEncoder().encode(JSON.stringify(pointer))],
    [manifestKey(name, version), manifestBytes],
    [modelFileKey(name, version), model],
  ]);
}

describe('model loads shared between requests', () => {
  it('cold: concurrent callers share one load, and only the caller that started it hands it to keepAlive', async () => {
    const objects = await published('cold', '1.0.0');
    const { bucket, reads, open } = fakeBucket(objects, new Set([pointerKey('cold')]));
    const kept: Promise<unknown>[] = [];
    const opts = { recheckMs: 60_000, keepAlive: (p: Promise<unknown>) => kept.push(p) };
    const first = currentModel(bucket, 'cold', opts);
    const second = currentModel(bucket, 'cold', opts);
    expect(kept).toHaveLength(1);
    open();
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect(a.manifest.version).toBe('1.0.0');
    expect(reads.filter((k) => k === pointerKey('cold'))).toHaveLength(1);
    await expect(kept[0]).resolves.toBe(a);
  });

  it('a due re-check runs beside the request: the loaded version answers while the pointer read is pending', async () => {
    const objects = await published('warm', '1.0.0');
    const loaded = await currentModel(fakeBucket(objects).bucket, 'warm', { recheckMs: 60_000 });
    const { bucket, reads, open } = fakeBucket(objects, new Set([pointerKey('warm')]));
    const kept: Promise<unknown>[] = [];
    // recheckMs 0: every call is due for a re-check; the pointer read never completes until open().
    const answer = await currentModel(bucket, 'warm', { recheckMs: 0, keepAlive: (p) => kept.push(p) });
    expect(answer).toBe(loaded);
    expect(reads).toEqual([pointerKey('warm')]);
    expect(kept).toHaveLength(1);
    // force (the admin reload) does wait for the re-read.
    let forced = false;
    const reload = currentModel(bucket, 'warm', { recheckMs: 0, force: true }).then(() => (forced = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(forced).toBe(false);
    open();
    await reload;
    await kept[0];
  });

  it('a pinned name@version load is handed to keepAlive too', async () => {
    const objects = await published('pinned', '2.0.0');
    const { bucket } = fakeBucket(objects);
    const kept: Promise<unknown>[] = [];
    const model = await resolveModel(
      bucket,
      { name: 'pinned', version: '2.0.0' },
      { recheckMs: 60_000, keepAlive: (p) => kept.push(p) },
    );
    expect(model.manifest.version).toBe('2.0.0');
    expect(kept).toHaveLength(1);
  });

  it('a load that never finishes: its waiters get a 503 with Retry-After at the deadline, the next request a new load', async () => {
    vi.useFakeTimers();
    try {
      const objects = await published('stuck', '1.0.0');
      const { bucket, reads } = fakeBucket(objects, new Set([pointerKey('stuck')])); // the pointer read never completes
      const waiting = [0, 1, 2].map(() =>
        currentModel(bucket, 'stuck', { recheckMs: 60_000 }).then(
          () => 'loaded',
          (error: unknown) => error,
        ),
      );
      await vi.advanceTimersByTimeAsync(SHARED_LOAD_WAIT_MS - 1);
      const early = await Promise.race([Promise.all(waiting), Promise.resolve('still waiting')]);
      expect(early).toBe('still waiting');
      await vi.advanceTimersByTimeAsync(1);
      for (const outcome of await Promise.all(waiting)) {
        expect(outcome).toBeInstanceOf(ApiError);
        const error = outcome as ApiError;
        expect([error.status, error.code, error.headers['Retry-After']]).toEqual([503, 'model_unavailable', '5']);
        expect(error.message).toMatch(/model stuck is still loading after 20 s/);
      }
      expect(reads).toEqual([pointerKey('stuck')]);
      const retry = currentModel(bucket, 'stuck', { recheckMs: 60_000 }).catch(() => undefined);
      expect(reads).toEqual([pointerKey('stuck'), pointerKey('stuck')]);
      await vi.advanceTimersByTimeAsync(SHARED_LOAD_WAIT_MS);
      await retry;
    } finally {
      vi.useRealTimers();
    }
  });
});
