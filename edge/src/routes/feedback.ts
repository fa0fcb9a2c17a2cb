// POST /v1/feedback — an image (raw body or multipart `file`) and its correct label (`?label=` or a multipart
// field `label`) for the served model (or `?model=name`). Stored in R2 for `resnet-edge retrain`; 202 + its id.
// Pages of other origins are refused unless ALLOWED_ORIGINS names them (cors.ts).
import { Hono } from 'hono';
import { requireAllowedOrigin } from '../cors.ts';
import type { AppEnv } from '../env.ts';
import { settingsOf } from '../settings.ts';
import { acceptFeedback, clientHash, storeFeedback } from '../feedback/accept.ts';
import { enforceFeedbackLimit } from '../feedback/rate-limit.ts';
import { parseModelRef, resolveModel } from '../model/loader.ts';
import { readImageForm } from '../upload.ts';
import { waitUntilOf } from '../wait-until.ts';

export const feedbackRoutes = new Hono<AppEnv>().post('/', requireAllowedOrigin, async (c) => {
  const settings = settingsOf(c.env);
  const client = await clientHash(c.req.header('cf-connecting-ip') ?? 'local', settings.feedbackSalt ?? '');
  await enforceFeedbackLimit(c.env.FEEDBACK_LIMITER, settings.feedbackPerMinute, client);
  const modelParam = c.req.query('model');
  const { bytes, fields } = await readImageForm(c.req.raw, settings.maxUploadBytes);
  const model = await resolveModel(c.env.MODELS, parseModelRef(modelParam ?? settings.modelName), {
    recheckMs: settings.recheckMs,
    requested: modelParam !== undefined,
    keepAlive: waitUntilOf(c),
  });
  const record = await acceptFeedback({
    bytes,
    label: c.req.query('label') ?? fields.label,
    manifest: model.manifest,
    maxPixels: settings.maxPixels,
    client,
  });
  const keys = await storeFeedback(c.env.MODELS, record, bytes);
  return c.json({ id: record.id, model: record.model, label: record.label, stored: keys.meta }, 202);
});
