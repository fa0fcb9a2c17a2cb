// GET /healthz — 200 only when the default model is loaded or loads now; otherwise 503 with the reason.
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { settingsOf } from '../settings.ts';
import { ApiError, errorBody } from '../errors.ts';
import { currentModel } from '../model/loader.ts';
import { waitUntilOf } from '../wait-until.ts';

export const healthRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const settings = settingsOf(c.env);
  try {
    const { manifest, interpreter } = await currentModel(c.env.MODELS, settings.modelName, {
      recheckMs: settings.recheckMs,
      keepAlive: waitUntilOf(c),
    });
    return c.json({
      status: 'ok',
      model: { name: manifest.name, version: manifest.version },
      int8Kernels: interpreter.kernels,
    });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return c.json({ status: 'unavailable', ...errorBody(error.code, error.message) }, 503);
  }
});
