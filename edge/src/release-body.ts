// A request body the route did not read (it was refused first: bad parameters, a declared size over the limit,
// a rate limit) is cancelled once the answer exists. Otherwise whoever runs after the app waits for the rest:
// `wrangler dev` drains every unread body before it sends the answer, so a 413 for `Content-Length:
// 99999999999` with a few bytes sent would never arrive, and a refused 10 GB upload would still be read.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './env.ts';

export const releaseUnreadBody = createMiddleware<AppEnv>(async (c, next) => {
  try {
    await next();
  } finally {
    const request = c.req.raw;
    // Not awaited: the client may never send the rest, and the answer must not wait for it.
    if (request.body !== null && !request.bodyUsed) request.body.cancel().catch(() => {});
  }
});
