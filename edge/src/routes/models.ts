// GET /v1/models and /v1/models/:name — what is published: version, labels, input spec and accuracy from the
// manifest the pointer names (verified by sha256), plus the version this isolate is serving right now.
import { MODELS_PREFIX } from '@resnet-edge/shared/registry/layout';
import type { Manifest } from '@resnet-edge/shared/registry/manifest';
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { settingsOf } from '../settings.ts';
import { ApiError } from '../errors.ts';
import { readManifest, readPointer } from '../model/fetch-verified.ts';
import { parseModelRef, servedVersion } from '../model/loader.ts';

function summary(manifest: Manifest, defaultName: string) {
  return {
    name: manifest.name,
    version: manifest.version,
    default: manifest.name === defaultName,
    served_version: servedVersion(manifest.name) ?? null,
    arch: manifest.arch,
    labels: manifest.labels,
    input_shape: manifest.inputShape,
    preprocess: manifest.preprocess,
    output_activation: manifest.outputActivation,
    accuracy: manifest.accuracy,
    created_at: manifest.createdAt,
  };
}

async function publishedManifest(bucket: R2Bucket, name: string): Promise<Manifest> {
  const pointer = await readPointer(bucket, name);
  if (pointer === null) throw new ApiError(404, 'model_not_found', `no model named '${name}' is published`);
  return readManifest(bucket, name, pointer.version, pointer.manifestSha256);
}

/** Model names are the folders under models/ that hold a pointer. */
async function publishedNames(bucket: R2Bucket): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: MODELS_PREFIX, delimiter: '/', ...(cursor ? { cursor } : {}) });
    for (const prefix of page.delimitedPrefixes) names.push(prefix.slice(MODELS_PREFIX.length, -1));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return names.sort();
}

export const modelRoutes = new Hono<AppEnv>()
  .get('/', async (c) => {
    const { modelName } = settingsOf(c.env);
    const models = [];
    const broken = [];
    for (const name of await publishedNames(c.env.MODELS)) {
      try {
        models.push(summary(await publishedManifest(c.env.MODELS, name), modelName));
      } catch (error) {
        // One bad model must not hide the others; it is listed with the reason instead.
        if (!(error instanceof ApiError)) throw error;
        if (error.code !== 'model_not_found')
          broken.push({ name, error: { code: error.code, message: error.message } });
      }
    }
    return c.json({ default: modelName, models, ...(broken.length > 0 ? { broken } : {}) });
  })
  .get('/:name', async (c) => {
    const { name } = parseModelRef(c.req.param('name'));
    return c.json(summary(await publishedManifest(c.env.MODELS, name), settingsOf(c.env).modelName));
  });
