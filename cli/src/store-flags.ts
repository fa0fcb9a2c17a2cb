// The flags every registry command shares, and turning them into an open store.
import { userInfo } from 'node:os';
import type { OptionSpec, ParsedArgs } from './command.ts';
import { boolOpt, intOpt, stringOpt } from './options.ts';
import { defaultStoreUrl, openStore } from '@resnet-edge/registry/store-url';
import type { ObjectStore } from '@resnet-edge/registry/store';

export const storeOptionSpecs: Record<string, OptionSpec> = {
  store: {
    type: 'string',
    valueName: 'URL',
    description:
      's3://bucket/prefix or r2-local:DIR (env RESNET_EDGE_STORE; default: the local R2 `resnet-edge serve` uses)',
  },
  endpoint: { type: 'string', valueName: 'URL', description: 'S3 endpoint (R2, MinIO, …; env AWS_ENDPOINT_URL)' },
  region: { type: 'string', description: 'S3 region (env AWS_REGION)' },
  'path-style': { type: 'boolean', description: 'path-style S3 addressing (default when --endpoint is given)' },
  'max-attempts': {
    type: 'string',
    valueName: 'N',
    description: 'attempts per request before giving up',
    default: '4',
  },
};

export function storeFromArgs(args: ParsedArgs): Promise<ObjectStore> {
  const endpoint = stringOpt(args, 'endpoint');
  const region = stringOpt(args, 'region');
  return openStore(stringOpt(args, 'store') ?? defaultStoreUrl(), {
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(boolOpt(args, 'path-style') ? { pathStyle: true } : {}),
    maxAttempts: intOpt(args, 'max-attempts', 4, { min: 1, max: 20 }),
  });
}

/** Who moved a pointer, for the history: $RESNET_EDGE_ACTOR, else user@host-less login name. */
export function actor(): string {
  return process.env.RESNET_EDGE_ACTOR || `${userInfo().username}`;
}

export async function withStore<T>(args: ParsedArgs, fn: (store: ObjectStore) => Promise<T>): Promise<T> {
  const store = await storeFromArgs(args);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
