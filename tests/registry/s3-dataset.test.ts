// Training data from an S3 prefix (folder per class), through the real dev S3 server.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset, materialize } from '../../train/src/data/dataset.ts';
import { datasetOptionsFromArgs } from '../../cli/src/dataset-flags.ts';
import { BUNDLED_DATA, fashionMnistSpec } from '../../train/src/data/presets.ts';
import { preprocess } from '../../shared/src/preprocess/index.ts';
import { S3Store } from '@resnet-edge/registry/s3-store';
import { startDevS3Server, type DevS3Server } from '../helpers/dev-s3-server.ts';

describe('dataset from an S3 prefix', () => {
  let server: DevS3Server;
  const env = { ...process.env };
  beforeAll(async () => {
    server = await startDevS3Server({ bucket: 'datasets' });
    const store = new S3Store({ bucket: 'datasets', endpoint: server.endpoint, credentials: server.credentials });
    for (const cls of ['bag', 'sneaker', 'trouser']) {
      for (const f of (await readdir(join(BUNDLED_DATA.test, cls))).slice(0, 4)) {
        await store.put(`fmnist/test/${cls}/${f}`, await readFile(join(BUNDLED_DATA.test, cls, f)));
      }
    }
    await store.put('fmnist/test/README.txt', new TextEncoder().encode('not an image'));
    await store.close();
    Object.assign(process.env, {
      AWS_ENDPOINT_URL: server.endpoint,
      AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
    });
  });
  afterAll(async () => {
    process.env = env;
    await server.stop();
  });

  it('--data s3://bucket/prefix loads a folder per class and preprocesses the same bytes as the local copy', async () => {
    const options = datasetOptionsFromArgs({ values: { data: 's3://datasets/fmnist/test' }, positionals: [] })!;
    expect(options).toEqual({ kind: 's3', uri: 's3://datasets/fmnist/test' });
    const ds = await loadDataset(options);
    expect(ds.labels).toEqual(['bag', 'sneaker', 'trouser']);
    expect(ds.samples).toHaveLength(12);
    const remote = await materialize(ds, fashionMnistSpec);
    expect(remote.count).toBe(12);
    const size = 28 * 28;
    for (const [i, id] of remote.ids.entries()) {
      const local = preprocess(new Uint8Array(await readFile(join(BUNDLED_DATA.test, id))), fashionMnistSpec).tensor;
      expect(Buffer.from(remote.x.buffer, i * size * 4, size * 4).equals(Buffer.from(local.buffer)), id).toBe(true);
    }
  });

  it('an empty prefix is a clear error', async () => {
    await expect(loadDataset({ kind: 's3', uri: 's3://datasets/nothing-here' })).rejects.toMatchObject({
      code: 'no_images',
    });
  });
});
