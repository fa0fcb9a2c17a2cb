// Per-client limits for POST /v1/feedback. With a Workers rate-limiting binding (FEEDBACK_LIMITER, see
// wrangler.toml) the count is shared across isolates in a location; without one (local dev, tests, accounts
// without the binding) each isolate keeps a fixed one-minute window per client, which still stops one client
// from flooding the bucket through one isolate.
import { ApiError } from '../errors.ts';

export const WINDOW_MS = 60_000;
/** Clients tracked per isolate before the oldest windows are dropped: bounds the map's memory. */
const MAX_CLIENTS = 10_000;

interface Window {
  start: number;
  count: number;
}

export class IsolateLimiter {
  private readonly windows = new Map<string, Window>();
  constructor(readonly perMinute: number) {}

  /** Counts one request; returns the seconds to wait when over the limit, else 0. */
  take(client: string, now = Date.now()): number {
    let w = this.windows.get(client);
    if (!w || now - w.start >= WINDOW_MS) {
      if (!w && this.windows.size >= MAX_CLIENTS) this.windows.delete(this.windows.keys().next().value!);
      w = { start: now, count: 0 };
      this.windows.delete(client);
      this.windows.set(client, w);
    }
    if (w.count >= this.perMinute) return Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000));
    w.count++;
    return 0;
  }
}

let isolateLimiter: IsolateLimiter | undefined;

export async function enforceFeedbackLimit(
  binding: RateLimit | undefined,
  perMinute: number,
  client: string,
): Promise<void> {
  let retryAfter = 0;
  if (binding) {
    const { success } = await binding.limit({ key: client });
    if (!success) retryAfter = WINDOW_MS / 1000;
  } else {
    // A changed FEEDBACK_PER_MINUTE takes effect with a fresh limiter.
    if (!isolateLimiter || isolateLimiter.perMinute !== perMinute) isolateLimiter = new IsolateLimiter(perMinute);
    retryAfter = isolateLimiter.take(client);
  }
  if (retryAfter > 0) {
    throw new ApiError(429, 'rate_limited', `too much feedback from this client; try again in ${retryAfter} s`, {
      'Retry-After': String(retryAfter),
    });
  }
}
