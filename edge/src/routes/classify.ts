// POST /v1/classify — the image as raw body or multipart `file`; ?top_k=N; ?model=name[@version].
import { Hono } from 'hono';
import { classify, type ClassifyResult } from '@resnet-edge/shared/classify/classify';
import type { AppEnv } from '../env.ts';
import { settingsOf } from '../settings.ts';
import { ApiError, asImageApiError } from '../errors.ts';
import { parseModelRef, resolveModel } from '../model/loader.ts';
import { startPhaseTimer } from '../server-timing.ts';
import { readImageUpload } from '../upload.ts';
import { waitUntilOf } from '../wait-until.ts';

/** `?top_k` as given (checked against the label count once the model is known), or undefined for the default. */
function parseTopK(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) < 1)
    throw new ApiError(400, 'bad_parameter', `top_k must be a positive integer, got '${raw}'`);
  return Number(raw);
}

// The answer's Server-Timing header splits the request: upload (body read), model (cache or R2), classify (with
// its decode, preprocess and infer parts as the answer's `timing` gives them), total.
export const classifyRoutes = new Hono<AppEnv>().post('/', async (c) => {
  const timer = startPhaseTimer();
  const settings = settingsOf(c.env);
  const requestedK = parseTopK(c.req.query('top_k'));
  const modelParam = c.req.query('model');
  const ref = parseModelRef(modelParam ?? settings.modelName);
  const bytes = await readImageUpload(c.req.raw, settings.maxUploadBytes);
  timer.mark('upload');
  const model = await resolveModel(c.env.MODELS, ref, {
    recheckMs: settings.recheckMs,
    requested: modelParam !== undefined,
    keepAlive: waitUntilOf(c),
  });
  timer.mark('model');
  const labels = model.manifest.labels.length;
  if (requestedK !== undefined && requestedK > labels) {
    throw new ApiError(
      400,
      'bad_parameter',
      `top_k must be between 1 and ${labels} (the model's label count), got ${requestedK}`,
    );
  }
  let result: ClassifyResult;
  try {
    result = classify(bytes, model, requestedK ?? Math.min(5, labels), {
      maxPixels: settings.maxPixels,
      maxPngBytes: settings.maxPngBytes,
    });
  } catch (error) {
    asImageApiError(error);
  }
  timer.mark('classify');
  timer.add('decode', result.timing.decode_ms);
  timer.add('preprocess', result.timing.preprocess_ms);
  timer.add('infer', result.timing.infer_ms);
  return c.json(result, 200, { 'Server-Timing': timer.header() });
});
