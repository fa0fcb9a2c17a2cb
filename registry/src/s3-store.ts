// ObjectStore over the S3 API (AWS S3, R2's S3 endpoint, MinIO, s3rver): @aws-sdk/client-s3 v3.
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { RegistryError } from './errors.ts';
import { bareEtag, type ObjectStore, type PutOptions, type StoredObject } from './store.ts';

export interface S3StoreOptions {
  bucket: string;
  /** Key prefix inside the bucket ('' or ending in '/'). */
  prefix?: string;
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Attempts per request, including the first (SDK retries with exponential back-off and jitter). */
  maxAttempts?: number;
}

/** Bodies above this go through lib-storage's multipart Upload. */
const MULTIPART_THRESHOLD = 8 * 1024 * 1024;

export class S3Store implements ObjectStore {
  readonly describe: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(private readonly options: S3StoreOptions) {
    this.bucket = options.bucket;
    this.prefix = normalisePrefix(options.prefix);
    this.describe = `s3://${options.bucket}/${this.prefix}${options.endpoint ? ` at ${options.endpoint}` : ''}`;
    this.client = new S3Client({
      region: options.region ?? process.env.AWS_REGION ?? 'us-east-1',
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? Boolean(options.endpoint),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      maxAttempts: options.maxAttempts ?? 4,
    });
  }

  async get(key: string): Promise<StoredObject | null> {
    return this.call(key, async () => {
      try {
        const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
        const bytes = await out.Body!.transformToByteArray();
        return { bytes, etag: bareEtag(out.ETag ?? '') };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    });
  }

  async head(key: string): Promise<{ etag: string; size: number } | null> {
    return this.call(key, async () => {
      try {
        const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
        return { etag: bareEtag(out.ETag ?? ''), size: out.ContentLength ?? 0 };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw err;
      }
    });
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<{ etag: string }> {
    return this.call(key, async () => {
      const params = {
        Bucket: this.bucket,
        Key: this.key(key),
        Body: bytes,
        ContentType: options.contentType ?? 'application/octet-stream',
        ...(options.ifNoneMatch ? { IfNoneMatch: options.ifNoneMatch } : {}),
        ...(options.ifMatch ? { IfMatch: `"${bareEtag(options.ifMatch)}"` } : {}),
      };
      try {
        if (bytes.byteLength > MULTIPART_THRESHOLD && !options.ifMatch && !options.ifNoneMatch) {
          const out = await new Upload({ client: this.client, params }).done();
          return { etag: bareEtag(out.ETag ?? '') };
        }
        const out = await this.client.send(new PutObjectCommand(params));
        return { etag: bareEtag(out.ETag ?? '') };
      } catch (err) {
        if (isPreconditionFailed(err)) {
          throw new RegistryError('precondition_failed', `conditional write of ${key} refused: the object changed`);
        }
        throw err;
      }
    });
  }

  async list(prefix: string): Promise<string[]> {
    return this.call(prefix, async () => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const out = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.key(prefix), ContinuationToken: token }),
        );
        for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key.slice(this.prefix.length));
        token = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (token);
      return keys.sort();
    });
  }

  async delete(key: string): Promise<void> {
    await this.call(key, () => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) })));
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private key(key: string): string {
    return `${this.prefix}${key}`;
  }

  /** Maps transport failures (after the SDK's bounded retries) to one clear error naming the store. */
  private async call<T>(key: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      const attempts = (err as { $metadata?: { attempts?: number } }).$metadata?.attempts;
      if (isNetworkError(err) || (err instanceof S3ServiceException && err.$fault === 'server')) {
        throw new RegistryError(
          'store_unreachable',
          `store ${this.describe} unreachable for ${key} after ${attempts ?? this.options.maxAttempts ?? 4} attempts: ${describe(err)}`,
        );
      }
      throw new RegistryError('store_error', `store ${this.describe} failed on ${key}: ${describe(err)}`);
    }
  }
}

function normalisePrefix(prefix: string | undefined): string {
  if (!prefix) return '';
  const p = prefix.replace(/^\/+/, '');
  return p.endsWith('/') ? p : `${p}/`;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

function isPreconditionFailed(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    e.name === 'PreconditionFailed' || e.$metadata?.httpStatusCode === 412 || e.name === 'ConditionalRequestConflict'
  );
}

function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  const name = (err as { name?: string }).name ?? '';
  return /ECONNREFUSED|ECONNRESET|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|EPIPE/.test(code) || name === 'TimeoutError';
}

function describe(err: unknown): string {
  const e = err as { code?: string; name?: string; message?: string };
  return [e.code ?? e.name, e.message].filter(Boolean).join(': ') || String(err);
}
