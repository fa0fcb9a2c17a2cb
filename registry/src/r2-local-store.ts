// ObjectStore over the local R2 that `wrangler dev --persist-to DIR` serves to the worker, written through
// Miniflare's own R2 implementation so the local worker sees exactly what was published. Miniflare's R2
// enforces `onlyIf` conditions and checksums, like the real R2.
//
// The bucket is reached through a few lines of worker code over `dispatchFetch` rather than Miniflare's
// `getR2Bucket()` proxy: that proxy makes some calls synchronously (a worker thread and Atomics.wait), and
// under load its replies came back out of step ("AssertionError: false == true" inside Miniflare).
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { RegistryError } from './errors.ts';
import { bareEtag, type ObjectStore, type PutOptions, type StoredObject } from './store.ts';

/** The worker's binding and bucket (edge/wrangler.toml); local R2 keys its data by bucket name. */
export const R2_BINDING = 'MODELS';
export const R2_BUCKET_NAME = 'resnet-edge-models';

/** Runs inside workerd: one request per bucket call; the key is the URL path, conditions are headers. */
const BUCKET_SHIM = `
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const key = decodeURIComponent(url.pathname.slice(1));
    const bucket = env.${R2_BINDING};
    if (request.method === 'GET' && url.searchParams.has('list')) {
      const cursor = url.searchParams.get('cursor');
      const page = await bucket.list({ prefix: url.searchParams.get('list'), ...(cursor ? { cursor } : {}) });
      return Response.json({ keys: page.objects.map((o) => o.key), cursor: page.truncated ? page.cursor : null });
    }
    if (request.method === 'GET') {
      const obj = await bucket.get(key);
      return obj ? new Response(obj.body, { headers: { etag: obj.etag } }) : new Response(null, { status: 404 });
    }
    if (request.method === 'HEAD') {
      const obj = await bucket.head(key);
      return obj ? new Response(null, { headers: { etag: obj.etag, 'x-size': String(obj.size) } }) : new Response(null, { status: 404 });
    }
    if (request.method === 'PUT') {
      const onlyIf = {};
      if (request.headers.has('if-none-match')) onlyIf.etagDoesNotMatch = '*';
      if (request.headers.has('if-match')) onlyIf.etagMatches = request.headers.get('if-match');
      const options = { httpMetadata: { contentType: request.headers.get('content-type') ?? 'application/octet-stream' } };
      const result = await bucket.put(key, await request.arrayBuffer(), Object.keys(onlyIf).length ? { ...options, onlyIf } : options);
      return result ? new Response(null, { headers: { etag: result.etag } }) : new Response(null, { status: 412 });
    }
    if (request.method === 'DELETE') {
      await bucket.delete(key);
      return new Response(null, { status: 204 });
    }
    return new Response(null, { status: 405 });
  },
};`;

export class R2LocalStore implements ObjectStore {
  readonly describe: string;
  private mf: Miniflare | undefined;

  /** `persistTo` is the folder given to `wrangler dev --persist-to`. */
  constructor(readonly persistTo: string) {
    this.describe = `r2-local:${persistTo}`;
  }

  private async call(method: string, path: string, init: { headers?: Record<string, string>; body?: Uint8Array } = {}) {
    this.mf ??= new Miniflare({
      modules: true,
      script: BUCKET_SHIM,
      r2Buckets: { [R2_BINDING]: R2_BUCKET_NAME },
      r2Persist: join(this.persistTo, 'v3', 'r2'),
    });
    const response = await this.mf.dispatchFetch(`http://r2.local/${path}`, { method, ...init });
    if (response.status >= 500) {
      throw new RegistryError('store_error', `local R2 ${method} ${path} failed: ${await response.text()}`);
    }
    return response;
  }

  async get(key: string): Promise<StoredObject | null> {
    const response = await this.call('GET', encodeURIComponent(key));
    if (response.status === 404) return null;
    return { bytes: new Uint8Array(await response.arrayBuffer()), etag: bareEtag(response.headers.get('etag') ?? '') };
  }

  async head(key: string): Promise<{ etag: string; size: number } | null> {
    const response = await this.call('HEAD', encodeURIComponent(key));
    if (response.status === 404) return null;
    return { etag: bareEtag(response.headers.get('etag') ?? ''), size: Number(response.headers.get('x-size')) };
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<{ etag: string }> {
    const headers: Record<string, string> = { 'content-type': options.contentType ?? 'application/octet-stream' };
    if (options.ifNoneMatch) headers['if-none-match'] = '*';
    if (options.ifMatch) headers['if-match'] = bareEtag(options.ifMatch);
    const response = await this.call('PUT', encodeURIComponent(key), { headers, body: bytes });
    if (response.status === 412) {
      throw new RegistryError('precondition_failed', `conditional write of ${key} refused: the object changed`);
    }
    return { etag: bareEtag(response.headers.get('etag') ?? '') };
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let cursor: string | null = null;
    do {
      const query = new URLSearchParams({ list: prefix, ...(cursor ? { cursor } : {}) });
      const page = (await (await this.call('GET', `?${query}`)).json()) as { keys: string[]; cursor: string | null };
      keys.push(...page.keys);
      cursor = page.cursor;
    } while (cursor);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await this.call('DELETE', encodeURIComponent(key));
  }

  async close(): Promise<void> {
    const mf = this.mf;
    this.mf = undefined;
    await mf?.dispose();
  }
}
