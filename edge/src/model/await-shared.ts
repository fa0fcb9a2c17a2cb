// Awaiting a promise that another request's I/O will settle (a model load that request started). workerd ends a
// request whose own I/O context has nothing pending (no fetch, no timer, no stream) with a plain-text 500, "the
// Worker's code had hung and would never generate a response", even when another request's load is about to settle
// the promise it awaits. It shows once V8 has optimised the loader: after ≈ 16,600 requests naming models that were
// not loaded, 936–1,059 of the next 8,400 ended that way at concurrency 16 (1 to 3 per 100,000 fuzzed requests).
// A timer of the awaiting request's own is pending work, so workerd waits for the load (0 of 40,000). The timer is
// also the deadline: a load that has not settled by then is answered 503 with Retry-After instead of waited on,
// and `abandon` lets the caller forget it so that the next request starts a fresh one.
import { ApiError } from '../errors.ts';

export const SHARED_LOAD_WAIT_MS = 20_000;

export function awaitShared<T>(
  shared: Promise<T>,
  what: string,
  abandon: () => void,
  waitMs = SHARED_LOAD_WAIT_MS,
): Promise<T> {
  let timer!: ReturnType<typeof setTimeout>; // the executor below runs at once
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abandon();
      reject(
        new ApiError(503, 'model_unavailable', `${what} is still loading after ${waitMs / 1000} s; retry shortly`, {
          'Retry-After': '5',
        }),
      );
    }, waitMs);
  });
  return Promise.race([shared, deadline]).finally(() => clearTimeout(timer));
}
