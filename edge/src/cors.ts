// The worker's CORS and origin policy (README "Browsers and origins"). No route uses cookies or other ambient
// credentials, so reading an answer cross-origin only asks which pages may: ALLOWED_ORIGINS lists them ('*' =
// any page). Feedback differs: it writes into the data retraining learns from, and a "simple" cross-site POST
// (a form, or fetch without preflight) runs before CORS can block anything, so the route itself refuses a
// browser request from a page that is neither this worker's origin nor allowed. Admin is never cross-origin:
// its Authorization header needs a preflight, and none is granted.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './env.ts';
import { settingsOf } from './settings.ts';
import { ApiError, errorBody } from './errors.ts';
import { crossOriginPage, originAllowed } from './origins.ts';

/** The methods each path answers cross-origin; preflights for anything else are refused. */
function corsMethods(path: string): string[] | null {
  if (path === '/v1/classify' || path === '/v1/feedback') return ['POST'];
  if (path === '/healthz' || path === '/v1/models' || /^\/v1\/models\/[^/]+$/.test(path)) return ['GET'];
  return null;
}

const PREFLIGHT_MAX_AGE_SECONDS = '600';

/** Answers preflights and makes answers to allowed pages readable; runs before every route. */
export const corsPolicy = createMiddleware<AppEnv>(async (c, next) => {
  const methods = corsMethods(c.req.path);
  if (c.req.method === 'OPTIONS' && methods !== null) {
    const allowed = settingsOf(c.env).allowedOrigins;
    const foreign = crossOriginPage(c.req.raw);
    const origin = c.req.header('origin');
    c.header('Allow', [...methods, 'OPTIONS'].join(', '));
    c.header('Vary', 'Origin');
    if (foreign === null) return c.body(null, 204);
    if (!originAllowed(origin, allowed)) {
      return c.json(
        errorBody('forbidden_origin', `${foreign} may not call ${c.req.path}: it is not in ALLOWED_ORIGINS`),
        403,
      );
    }
    const method = c.req.header('access-control-request-method');
    if (method !== undefined && !methods.includes(method)) {
      return c.json(errorBody('forbidden_origin', `${c.req.path} answers ${methods.join(', ')}, not ${method}`), 403);
    }
    c.header('Access-Control-Allow-Origin', origin);
    c.header('Access-Control-Allow-Methods', methods.join(', '));
    c.header('Access-Control-Allow-Headers', 'Content-Type');
    c.header('Access-Control-Max-Age', PREFLIGHT_MAX_AGE_SECONDS);
    return c.body(null, 204);
  }
  await next();
  if (methods === null) return;
  c.res.headers.append('Vary', 'Origin');
  const origin = c.req.header('origin');
  if (crossOriginPage(c.req.raw) !== null && originAllowed(origin, settingsOf(c.env).allowedOrigins)) {
    c.res.headers.set('Access-Control-Allow-Origin', origin);
    c.res.headers.set('Access-Control-Expose-Headers', 'Retry-After');
  }
});

/** For routes that change state: a page of another origin must be in ALLOWED_ORIGINS. */
export const requireAllowedOrigin = createMiddleware<AppEnv>(async (c, next) => {
  const foreign = crossOriginPage(c.req.raw);
  if (foreign !== null && !originAllowed(c.req.header('origin'), settingsOf(c.env).allowedOrigins)) {
    throw new ApiError(
      403,
      'forbidden_origin',
      `${c.req.path} refuses requests from ${foreign}: only this worker's own pages and ALLOWED_ORIGINS may send them`,
    );
  }
  await next();
});
