// Which pages may call the worker: ALLOWED_ORIGINS as parsed with the other settings, and the test of whether
// a request comes from another origin's page. The policy that uses them is in cors.ts.
import { ApiError } from './errors.ts';

/** `'*'` or exact origins such as `https://app.example.com` (scheme, host and port; no path). */
export type AllowedOrigins = '*' | readonly string[];

/** ALLOWED_ORIGINS as a list; a malformed entry is a deployment error, named so the operator can fix it. */
export function parseAllowedOrigins(raw: string | undefined): AllowedOrigins {
  const entries = (raw ?? '').split(/[\s,]+/).filter((e) => e !== '');
  if (entries.includes('*')) {
    if (entries.length > 1)
      throw misconfigured(`'*' allows every origin; list origins or '*', not both (got '${raw}')`);
    return '*';
  }
  for (const entry of entries) {
    if (originOf(entry) !== entry) {
      throw misconfigured(
        `'${entry}' is not an origin; write it as scheme://host[:port], e.g. https://app.example.com`,
      );
    }
  }
  return entries;
}

function originOf(entry: string): string | null {
  try {
    const url = new URL(entry);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}

function misconfigured(why: string): ApiError {
  return new ApiError(500, 'misconfigured', `ALLOWED_ORIGINS: ${why}`);
}

export function originAllowed(origin: string | undefined, allowed: AllowedOrigins): origin is string {
  // 'null' is what sandboxed frames and file: pages send: it names no page that could be allowed.
  return origin !== undefined && origin !== 'null' && (allowed === '*' || allowed.includes(origin));
}

/**
 * Who sent a request from another origin's page, or null when no such page did. Browsers send Origin on every
 * POST and Sec-Fetch-Site on every request; a client that sends neither (curl, the CLI, a server) is no page.
 */
export function crossOriginPage(request: Request): string | null {
  const origin = request.headers.get('origin');
  if (origin !== null) return origin === new URL(request.url).origin ? null : origin;
  const site = request.headers.get('sec-fetch-site');
  return site === null || site === 'same-origin' || site === 'none' ? null : `a ${site} page`;
}
