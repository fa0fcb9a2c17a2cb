// The worker's app: one router per concern, one notFound, one onError. Bad input is always an ApiError with
// its status; anything else is our bug, logged and answered with a generic 500 (never a stack trace).
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { corsPolicy } from './cors.ts';
import type { AppEnv } from './env.ts';
import { ApiError, errorBody } from './errors.ts';
import { adminRoutes } from './routes/admin.ts';
import { classifyRoutes } from './routes/classify.ts';
import { feedbackRoutes } from './routes/feedback.ts';
import { healthRoutes } from './routes/health.ts';
import { modelRoutes } from './routes/models.ts';
import { pageRoutes } from './routes/page.ts';

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', corsPolicy);
  app.route('/', pageRoutes);
  app.route('/healthz', healthRoutes);
  app.route('/v1/classify', classifyRoutes);
  app.route('/v1/feedback', feedbackRoutes);
  app.route('/v1/models', modelRoutes);
  app.route('/v1/admin', adminRoutes);
  app.notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((error, c) => {
    if (error instanceof ApiError) return c.json(errorBody(error.code, error.message), error.status, error.headers);
    if (error instanceof HTTPException) {
      return c.json(
        errorBody(error.status === 401 ? 'unauthorized' : 'bad_request', error.message || 'bad request'),
        error.status,
      );
    }
    console.error(`unhandled error on ${c.req.method} ${c.req.path}:`, error);
    return c.json(errorBody('internal', 'internal error; the worker log has the details'), 500);
  });
  return app;
}
