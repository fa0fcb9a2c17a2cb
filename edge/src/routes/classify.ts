// POST /v1/classify — the image as raw body or multipart `file`; ?top_k=N; ?model=name[@version].
import { Hono } from 'hono';
import { classify } from '@resnet-edge/shared/classify/classify';
import type { AppEnv } from '../env.ts';
import { settingsOf } from '../settings.ts';
import { ApiError, asImageApiError } from '../errors.ts';
import { parseModelRef, resolveModel } from '../model/loader.ts';
import { readImageUpload } from '../upload.ts';

/** `?top_k` as given (checked against the label count once the model is known), or undefined for the default. */
function parseTopK(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw new ApiError(400, 'bad_parameter', `top_k must be a positive integer, got '${raw}'`);
  return Number(raw);
}

export const classifyRoutes = new Hono<AppEnv>().post('/', async (c) => {
  const settings = settingsOf(c.env);
  const requestedK = parseTopK(c.req.query('top_k'));
  const modelParam = c.req.query('model');
  const ref = parseModelRef(modelParam ?? settings.modelName);
  const bytes = await readImageUpload(c.req.raw, settings.maxUploadBytes);
  const model = await resolveModel(c.env.MODELS, ref, {
    recheckMs: settings.recheckMs,
    requested: modelParam !== undefined,
  });
  const labels = model.manifest.labels.length;
  if (requestedK !== undefined && requestedK > labels) {
    throw new ApiError(
      400,
      'bad_parameter',
      `top_k must be between 1 and ${labels} (the model's label count), got ${requestedK}`,
    );
  }
  try {
    return c.json(classify(bytes, model, requestedK ?? Math.min(5, labels), { maxPixels: settings.maxPixels }));
  } catch (error) {
    asImageApiError(error);
  }
});
