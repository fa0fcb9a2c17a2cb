// ObjectStore over the local R2 that `wrangler dev --persist-to DIR` serves to the worker, written through
// Miniflare's own R2 implementation so the local worker sees exactly what was published. Miniflare's R2
// enforces `onlyIf` conditions and checksums, like the real R2.
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { RegistryError } from './errors.ts';
import { bareEtag, type ObjectStore, type PutOptions, type StoredObject } from './store.ts';

/** The worker's binding and bucket (edge/wrangler.toml); local R2 keys its data by bucket name. */
export const R2_BINDING = 'MODELS';
export const R2_BUCKET_NAME = 'resnet-edge-models';

/** The part of the R2 bucket API used here (Miniflare's own types are too wide for overload resolution). */
interface Bucket {
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer>; etag: string } | null>;
  head(key: string): Promise<{ etag: string; size: number } | null>;
  put(key: string, body: ArrayBuffer, options: { onlyIf?: { etagMatches?: string; etagDoesNotMatch?: string }; httpMetadata?: { contentType: string } }): Promise<{ etag: string } | null>;
  list(options: { prefix: string; cursor?: string }): Promise<{ objects: { key: string }[]; truncated: boolean; cursor?: string }>;
  delete(key: string): Promise<void>;
}

export class R2LocalStore implements ObjectStore {
  readonly describe: string;
  private mf: Miniflare | undefined;
  private bucket: Promise<Bucket> | undefined;

  /** `persistTo` is the folder given to `wrangler dev --persist-to`. */
  constructor(readonly persistTo: string) {
    this.describe = `r2-local:${persistTo}`;
  }

  private open(): Promise<Bucket> {
    this.bucket ??= (async () => {
      this.mf = new Miniflare({
        modules: true,
        script: 'export default { fetch() { return new Response(null, { status: 404 }) } }',
        r2Buckets: { [R2_BINDING]: R2_BUCKET_NAME },
        r2Persist: join(this.persistTo, 'v3', 'r2'),
      });
      return (await this.mf.getR2Bucket(R2_BINDING)) as unknown as Bucket;
    })();
    return this.bucket;
  }

  async get(key: string): Promise<StoredObject | null> {
    const obj = await (await this.open()).get(key);
    if (!obj) return null;
    return { bytes: new Uint8Array(await obj.arrayBuffer()), etag: bareEtag(obj.etag) };
  }

  async head(key: string): Promise<{ etag: string; size: number } | null> {
    const obj = await (await this.open()).head(key);
    return obj ? { etag: bareEtag(obj.etag), size: obj.size } : null;
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<{ etag: string }> {
    // Plain-object conditions: Miniflare's Node-to-workerd proxy cannot carry a Headers instance.
    const onlyIf = {
      ...(options.ifNoneMatch ? { etagDoesNotMatch: '*' } : {}),
      ...(options.ifMatch ? { etagMatches: bareEtag(options.ifMatch) } : {}),
    };
    // Miniflare wants a plain ArrayBuffer, not a view onto a larger (Node Buffer) one.
    const body = bytes.slice().buffer;
    const httpMetadata = { contentType: options.contentType ?? 'application/octet-stream' };
    const bucket = await this.open();
    const conditional = options.ifNoneMatch !== undefined || options.ifMatch !== undefined;
    const result = await bucket.put(key, body, conditional ? { onlyIf, httpMetadata } : { httpMetadata });
    if (result === null) {
      throw new RegistryError('precondition_failed', `conditional write of ${key} refused: the object changed`);
    }
    return { etag: bareEtag(result.etag) };
  }

  async list(prefix: string): Promise<string[]> {
    const bucket = await this.open();
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await bucket.list({ prefix, ...(cursor ? { cursor } : {}) });
      keys.push(...page.objects.map((o) => o.key));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await (await this.open()).delete(key);
  }

  async close(): Promise<void> {
    const mf = this.mf;
    this.mf = undefined;
    this.bucket = undefined;
    await mf?.dispose();
  }
}
