// One string names a store: `s3://bucket/prefix` (any S3-compatible endpoint) or `r2-local:DIR` (the folder
// `wrangler dev --persist-to` serves). The default is the local R2 the worker reads in `resnet-edge serve`.
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RegistryError } from './errors.ts';
import type { ObjectStore } from './store.ts';

/** The checkout's local R2 state: what `resnet-edge serve` hands to `wrangler dev --persist-to`. */
export const DEFAULT_LOCAL_STATE = join(
  resolve(dirname(fileURLToPath(import.meta.url)), '../..'),
  '.resnet-edge',
  'wrangler-state',
);

export interface StoreConnection {
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  maxAttempts?: number;
}

export function defaultStoreUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.RESNET_EDGE_STORE || `r2-local:${DEFAULT_LOCAL_STATE}`;
}

/** The drivers load here, on first use: the AWS SDK and Miniflare are heavy, and most commands need one or neither. */
export async function openStore(
  url: string,
  conn: StoreConnection = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<ObjectStore> {
  if (url.startsWith('r2-local:')) {
    const dir = url.slice('r2-local:'.length);
    if (!dir) throw new RegistryError('bad_store_url', `store '${url}' names no folder: use r2-local:DIR`);
    const { R2LocalStore } = await import('./r2-local-store.ts');
    return new R2LocalStore(isAbsolute(dir) ? dir : resolve(dir));
  }
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  if (!m) {
    throw new RegistryError('bad_store_url', `store '${url}' is not s3://bucket[/prefix] or r2-local:DIR`);
  }
  const accessKeyId = conn.accessKeyId ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = conn.secretAccessKey ?? env.AWS_SECRET_ACCESS_KEY;
  const endpoint = conn.endpoint ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const { S3Store } = await import('./s3-store.ts');
  return new S3Store({
    bucket: m[1]!,
    prefix: m[2] ?? '',
    ...(endpoint ? { endpoint } : {}),
    ...((conn.region ?? env.AWS_REGION) ? { region: conn.region ?? env.AWS_REGION } : {}),
    ...(conn.pathStyle !== undefined ? { forcePathStyle: conn.pathStyle } : {}),
    // Explicit keys win; otherwise the SDK's standard chain (env, profile, SSO, instance role) applies.
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
    ...(conn.maxAttempts ? { maxAttempts: conn.maxAttempts } : {}),
  });
}
