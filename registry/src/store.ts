// The object-store contract the registry is written against. Two drivers implement it (S3 API, local R2
// through Miniflare) and pass one shared contract test suite.

export interface StoredObject {
  bytes: Uint8Array;
  etag: string;
}

export interface PutOptions {
  /** '*' = create only: fail with 'precondition_failed' if the key exists. */
  ifNoneMatch?: '*';
  /** Update only if the object's current ETag is this one. */
  ifMatch?: string;
  contentType?: string;
}

export interface ObjectStore {
  /** Human-readable location for messages, e.g. `s3://bucket/prefix` or `r2-local:/path`. */
  readonly describe: string;
  get(key: string): Promise<StoredObject | null>;
  head(key: string): Promise<{ etag: string; size: number } | null>;
  /** Throws RegistryError 'precondition_failed' when a condition does not hold. */
  put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<{ etag: string }>;
  /** Keys under the prefix, sorted. */
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/** ETags arrive quoted from S3 and unquoted from R2; compare them bare. */
export function bareEtag(etag: string): string {
  return etag.replace(/^W\//, '').replace(/^"|"$/g, '');
}
