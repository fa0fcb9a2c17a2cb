// A request's ExecutionContext.waitUntil, for work other requests may await (a shared model load): it then
// finishes even if this request's client hangs up. Where there is no execution context (Hono's app.request in
// tests) nothing outlives the request anyway, so it is a no-op there.
import type { Context } from 'hono';

export function waitUntilOf(c: Context): (work: Promise<unknown>) => void {
  let waitUntil: (work: Promise<unknown>) => void;
  try {
    const ctx = c.executionCtx;
    waitUntil = (work) => ctx.waitUntil(work);
  } catch {
    return () => undefined;
  }
  return waitUntil;
}
